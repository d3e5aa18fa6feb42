import { isSupportedCountry } from 'libphonenumber-js/max';
import { compileColumnRead } from './column-path.js';
import { parseTimestampText } from './iso-timestamp.js';
import { countryCode, e164 } from './locale-transforms.js';
import { firstName, lastName, slugUsername, stripForbidden, truncate } from './name-transforms.js';
import { RowProblem } from './row-problem.js';
import type { JsonValue } from './to-json-value.js';
import type { BareTransformName, TransformSpec } from './transform-spec.js';

export type { TransformName, TransformSpec } from './transform-spec.js';

const TRUE_WORDS = new Set(['t', 'true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'no', 'n', 'off', '0']);

export type Present = Exclude<JsonValue, null>;

/**
 * What a transform may need besides its input: the mapping's default phone region, and a way to
 * report a warning (a value changed but still usable) without rejecting the row.
 */
export interface TransformContext {
  /** Region for phone numbers written without `+`; from the mapping's `options.phoneRegion`. */
  phoneRegion?: string;
  /** Records a warning about the value being built: `truncated`, `stripped`, `slugified`, ... */
  warn?: (rule: string, message: string) => void;
}

/** Each transform gets a non-null JSON value; SQL NULL passes through every transform untouched. */
const TRANSFORMS: Record<BareTransformName, (value: Present, context: TransformContext) => JsonValue> = {
  trim: (value) => text('trim', value).trim(),
  lower: (value) => text('lower', value).toLowerCase(),
  upper: (value) => text('upper', value).toUpperCase(),
  // Whitespace-only counts as empty: no API field accepts it, and it is never meaningful.
  nullIfEmpty: (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  isoTimestamp: (value) => {
    // Date values arrive already converted to ISO text (see toJsonValue), so one parser serves both.
    const iso = typeof value === 'string' ? parseTimestampText(value) : undefined;
    if (iso === undefined) throw new RowProblem('transform', 'isoTimestamp: is not a date-time', value);
    return iso;
  },
  string: (value) => (typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)),
  boolean: (value) => {
    if (typeof value === 'boolean') return value;
    const word = typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : undefined;
    if (word !== undefined && TRUE_WORDS.has(word)) return true;
    if (word !== undefined && FALSE_WORDS.has(word)) return false;
    throw new RowProblem('transform', 'boolean: is not one of t/f, true/false, yes/no, y/n, on/off, 1/0', value);
  },
  // Text columns holding JSON (Django's extra_data, hand-rolled settings blobs): parse them whole.
  json: (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as JsonValue;
    } catch {
      throw new RowProblem('transform', 'json: is not valid JSON text', value);
    }
  },
  firstName: (value) => firstName(text('firstName', value)),
  lastName: (value) => lastName(text('lastName', value)),
  e164: (value, context) => e164(phoneText(value), context.phoneRegion),
  countryCode: (value) => countryCode(text('countryCode', value)),
  stripForbidden: (value, context) => stripForbidden(text('stripForbidden', value), context),
  slugUsername: (value, context) => slugUsername(text('slugUsername', value), context),
};

/**
 * One transform, resolved: takes a non-null value (null never reaches a transform) and the record
 * the value was read from (`e164`'s `regionFrom` reads the country of the same record).
 */
export type CompiledTransform = (value: Present, context: TransformContext, record?: Readonly<Record<string, unknown>>) => JsonValue;

/**
 * Resolves one transform spec to its function once, so a compiled mapping does not look the
 * name up again for every value. Parameterised specs close over their parameter.
 */
export function compileTransform(transform: TransformSpec): CompiledTransform {
  if (typeof transform === 'string') {
    // A name the schema would have refused (an unparsed spec) fails when applied, as it always did, not here.
    return Object.hasOwn(TRANSFORMS, transform) ? TRANSFORMS[transform] : (value, context) => TRANSFORMS[transform](value, context);
  }
  if ('truncate' in transform) {
    const length = transform.truncate;
    return (value, context) => truncate(text('truncate', value), length, context);
  }
  const { region, regionFrom } = transform.e164;
  if (regionFrom === undefined) return (value) => e164(phoneText(value), region);
  const readRegion = compileColumnRead(regionFrom);
  return (value, context, record) => {
    const fromRow = record ? regionOf(readRegion(record)) : undefined;
    return e164(phoneText(value), fromRow ?? region ?? context.phoneRegion);
  };
}

/** A country value as a phone region, or undefined when it is none libphonenumber knows (blank, a placeholder such as `XX`). */
function regionOf(country: JsonValue): string | undefined {
  if (typeof country !== 'string') return undefined;
  let code: string | null;
  try {
    code = countryCode(country);
  } catch {
    return undefined;
  }
  return code !== null && isSupportedCountry(code) ? code : undefined;
}

/**
 * Applies one transform; a value it cannot apply to is a `transform` problem of the row. Warnings
 * (a value cut or cleaned but still usable) go to `context.warn`.
 * @throws RowProblem with rule `transform`
 */
export function applyTransform(transform: TransformSpec, value: JsonValue, context: TransformContext = {}): JsonValue {
  if (value === null) return null;
  return compileTransform(transform)(value, context);
}

function text(name: string, value: Present): string {
  if (typeof value === 'string') return value;
  throw new RowProblem('transform', `${name}: expects text, got ${Array.isArray(value) ? 'array' : typeof value}`, value);
}

/** Phone numbers stored as integers are still phone numbers. */
function phoneText(value: Present): string {
  return typeof value === 'number' ? String(value) : text('e164', value);
}
