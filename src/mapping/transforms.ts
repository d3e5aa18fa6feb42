import { parseTimestampText } from './iso-timestamp.js';
import { RowProblem } from './row-problem.js';
import type { JsonValue } from './to-json-value.js';

/** The named transforms a value source may list; applied in order, each sees the previous one's output. */
export const TRANSFORM_NAMES = ['trim', 'lower', 'upper', 'nullIfEmpty', 'isoTimestamp', 'string', 'boolean'] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];

const TRUE_WORDS = new Set(['t', 'true', 'yes', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'no', '0']);

/** Each transform gets a non-null JSON value; SQL NULL passes through every transform untouched. */
const TRANSFORMS: Record<TransformName, (value: Exclude<JsonValue, null>) => JsonValue> = {
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
    throw new RowProblem('transform', 'boolean: is not one of t/f, true/false, yes/no, 1/0', value);
  },
};

/** Applies one named transform; a value it cannot apply to is a `transform` problem of the row. */
export function applyTransform(name: TransformName, value: JsonValue): JsonValue {
  if (value === null) return null;
  return TRANSFORMS[name](value);
}

function text(name: TransformName, value: Exclude<JsonValue, null>): string {
  if (typeof value === 'string') return value;
  throw new RowProblem('transform', `${name}: expects text, got ${Array.isArray(value) ? 'array' : typeof value}`, value);
}
