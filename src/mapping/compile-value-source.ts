import { isBlank, compileColumnRead } from './column-path.js';
import { compileCondition } from './condition.js';
import type { RowContext } from './row-context.js';
import { RowProblem } from './row-problem.js';
import { compileTemplate } from './template.js';
import type { JsonValue } from './to-json-value.js';
import { compileTransform } from './transforms.js';
import type { UnmappedMode, ValueSource } from './value-source.js';

/** A value source compiled for one mapping: computes the value of one record. */
export type CompiledValue = (record: Readonly<Record<string, unknown>>, context: RowContext) => JsonValue;

/**
 * Compiles one value source (against the user row, a child row or a JSON element): produce the
 * value (column, constant, template, firstOf, when), then apply the transforms in order, then the
 * value map, then the default. Everything that depends on the spec alone (column paths,
 * transforms, templates, conditions) is resolved here, once, not per row. A spec this cannot
 * compile (only an unvalidated one) fails when evaluated, as the interpreter it replaced did.
 * The compiled value throws RowProblem when a column is missing, a transform cannot apply or a
 * value is unmapped; warnings go to the context.
 */
export function compileValueSource(source: ValueSource): CompiledValue {
  try {
    return compileShaped(source);
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/**
 * Evaluates a compiled value for the context's current field, recording a problem instead of
 * throwing.
 * @returns the value (null when absent), or undefined when a problem was recorded
 */
export function evaluateField(value: CompiledValue, record: Readonly<Record<string, unknown>>, context: RowContext): JsonValue | undefined {
  try {
    return value(record, context);
  } catch (error) {
    if (!(error instanceof RowProblem)) throw error;
    context.addProblem(error);
    return undefined;
  }
}

/** A compiled member of an object being built: its key and the field name problems are reported under. */
export interface NamedValue {
  /** Key in the object (the payload, its metadata, a wallet, an OAuth account). */
  key: string;
  /** Path for problems and warnings: `email`, `metadata.plan`; inside a list, the item's part (`chain`). */
  field: string;
  value: CompiledValue;
}

/**
 * Evaluates each member against `record` (the context pointed at its field first) and sets those
 * that have a value on `target`, in order: null leaves a member out, and so does a recorded problem.
 */
export function assignValues(target: Record<string, unknown>, members: readonly NamedValue[], record: Readonly<Record<string, unknown>>, context: RowContext): void {
  for (const { key, field, value } of members) {
    context.field = field;
    const built = evaluateField(value, record, context);
    if (built != null) target[key] = built;
  }
}

function compileShaped(source: ValueSource): CompiledValue {
  const produce = compileProducer(source);
  const transforms = (source.transforms ?? []).map(compileTransform);
  const { map } = source;
  const unmapped = source.unmapped ?? 'keep';
  const fallback = source.default ?? null;
  // A bare column read needs no shaping (and never yields undefined, which `?? fallback` would turn into null).
  if (transforms.length === 0 && !map && fallback === null && 'column' in source) return produce;
  return (record, context) => {
    let value = produce(record, context);
    // SQL NULL passes through every transform untouched.
    for (const transform of transforms) {
      if (value === null) break;
      value = transform(value, context);
    }
    if (map && value !== null) value = lookUp(map, value, unmapped);
    return value ?? fallback;
  };
}

function compileProducer(source: ValueSource): CompiledValue {
  if ('constant' in source) {
    const { constant } = source;
    return () => constant;
  }
  if ('column' in source) return compileColumnRead(source.column);
  if ('template' in source) return compileTemplate(source.template, compileColumnRead);
  if ('firstOf' in source) return compileFirstOf(source.firstOf.map(compileValueSource));
  const test = compileCondition(source.when);
  const then = compileValueSource(source.then);
  const otherwise = source.else ? compileValueSource(source.else) : undefined;
  return (record, context) => (test(record) ? then(record, context) : otherwise ? otherwise(record, context) : null);
}

/** The first candidate whose value is neither null nor blank text. */
function compileFirstOf(candidates: readonly CompiledValue[]): CompiledValue {
  return (record, context) => {
    const { warnings } = context;
    for (const candidate of candidates) {
      // A candidate passed over (or failing) must not leave warnings about a value that is not sent.
      const mark = warnings.length;
      let value: JsonValue;
      try {
        value = candidate(record, context);
      } catch (error) {
        warnings.length = mark;
        throw error;
      }
      if (!isBlank(value)) return value;
      warnings.length = mark;
    }
    return null;
  };
}

function lookUp(map: Readonly<Record<string, JsonValue>>, value: Exclude<JsonValue, null>, unmapped: UnmappedMode): JsonValue {
  const key = typeof value === 'object' ? undefined : String(value);
  // hasOwn, not `in`: a legacy value such as "constructor" must not find Object.prototype.
  if (key !== undefined && Object.hasOwn(map, key)) return map[key] ?? null;
  if (unmapped === 'null') return null;
  if (unmapped === 'reject') throw new RowProblem('value_map', 'has no entry in the value map (unmapped: reject)', value);
  return value;
}
