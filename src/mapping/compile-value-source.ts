import { isBlank, compileColumnRead } from './column-path.js';
import { compileCondition } from './condition.js';
import type { RowContext } from './row-context.js';
import { RowProblem } from './row-problem.js';
import { compileTemplate } from './template.js';
import type { JsonValue } from './to-json-value.js';
import { compileTransform } from './transforms.js';
import type { CompiledTransform } from './transforms.js';
import type { UnmappedMode, ValueSource } from './value-source.js';

/** A value of one record (the user row, a child row, a JSON element). */
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
    return recordProblem(error, context);
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

/** Sets the members that have a value on `target`: see {@link compileAssigner}. */
export type Assigner = (target: Record<string, unknown>, record: Readonly<Record<string, unknown>>, context: RowContext) => void;

/**
 * The members, evaluated against a record in order and set on the target object: the context is
 * pointed at each member's field first; null leaves a member out, and so does a problem (recorded
 * in the context, see {@link recordProblem}).
 */
export function compileAssigner(members: readonly NamedValue[]): Assigner {
  return (target, record, context) => {
    for (const { key, field, value } of members) {
      context.field = field;
      const result = evaluateField(value, record, context);
      if (result != null) target[key] = result;
    }
  };
}

/**
 * A value's failure: a RowProblem is recorded under the context's field (the row is rejected, the
 * mapper goes on); anything else is the mapper's own fault and is thrown on.
 * @returns undefined, the value of a member that could not be built
 */
function recordProblem(error: unknown, context: RowContext): undefined {
  if (!(error instanceof RowProblem)) throw error;
  context.addProblem(error);
  return undefined;
}

function compileShaped(source: ValueSource): CompiledValue {
  const transforms = (source.transforms ?? []).map(compileTransform);
  const { map } = source;
  const fallback = source.default ?? null;
  // A bare column (or JSON path) needs no shaping: its reader is the value.
  const produce = compileProducer(source);
  if (transforms.length === 0 && !map && fallback === null) return produce;
  return shapeValue(produce, transforms, map, source.unmapped ?? 'keep', fallback);
}

/**
 * Produce the value, apply the transforms in order while it is not null (SQL NULL passes every
 * transform untouched), then the value map, then the default.
 */
function shapeValue(
  produce: CompiledValue,
  transforms: readonly CompiledTransform[],
  map: Readonly<Record<string, JsonValue>> | undefined,
  unmapped: UnmappedMode,
  fallback: JsonValue,
): CompiledValue {
  return (record, context) => {
    let value = produce(record, context);
    for (const transform of transforms) if (value !== null) value = transform(value, context, record);
    if (map && value !== null) value = lookUp(map, value, unmapped);
    return value ?? fallback;
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
