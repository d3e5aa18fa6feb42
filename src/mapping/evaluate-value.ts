import { isBlank, readColumnPath } from './column-path.js';
import { evaluateCondition } from './condition.js';
import { RowProblem } from './row-problem.js';
import { renderTemplate } from './template.js';
import type { JsonValue } from './to-json-value.js';
import type { TransformContext } from './transform-context.js';
import { applyTransform } from './transforms.js';
import type { UnmappedMode, ValueSource } from './value-source.js';

/** A value that could not be built, with the payload field it was meant for. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
  /** Unmasked here; masked when it becomes a rejection. */
  value?: unknown;
}

/** A value that was changed to fit (cut, cleaned) but is still sent. Never carries the value. */
export interface FieldWarning {
  field: string;
  rule: string;
  message: string;
}

/** What the evaluation of one row collects, and the mapping options it needs. */
export interface RowState {
  phoneRegion?: string;
  problems: FieldProblem[];
  warnings: FieldWarning[];
}

/**
 * Computes one value source against one record (the user row, a child row or a JSON element):
 * produce the value (column, constant, template, firstOf, when), then apply the transforms in
 * order, then the value map, then the default.
 * @throws RowProblem when a column is missing, a transform cannot apply or a value is unmapped
 */
export function evaluateValue(source: ValueSource, record: Readonly<Record<string, unknown>>, context: TransformContext = {}): JsonValue {
  let value = produce(source, record, context);
  for (const transform of source.transforms ?? []) value = applyTransform(transform, value, context);
  if (source.map && value !== null) value = lookUp(source.map, value, source.unmapped ?? 'keep');
  return value ?? source.default ?? null;
}

function produce(source: ValueSource, record: Readonly<Record<string, unknown>>, context: TransformContext): JsonValue {
  if ('constant' in source) return source.constant;
  if ('column' in source) return readColumnPath(record, source.column);
  if ('template' in source) return renderTemplate(source.template, (ref) => readColumnPath(record, ref));
  if ('firstOf' in source) {
    for (const candidate of source.firstOf) {
      // A candidate passed over must not leave warnings about a value that is not sent.
      const held: [string, string][] = [];
      const value = evaluateValue(candidate, record, { ...context, warn: (rule, message) => held.push([rule, message]) });
      if (isBlank(value)) continue;
      for (const [rule, message] of held) context.warn?.(rule, message);
      return value;
    }
    return null;
  }
  if (evaluateCondition(source.when, record)) return evaluateValue(source.then, record, context);
  return source.else ? evaluateValue(source.else, record, context) : null;
}

function lookUp(map: Readonly<Record<string, JsonValue>>, value: Exclude<JsonValue, null>, unmapped: UnmappedMode): JsonValue {
  const key = typeof value === 'object' ? undefined : String(value);
  // hasOwn, not `in`: a legacy value such as "constructor" must not find Object.prototype.
  if (key !== undefined && Object.hasOwn(map, key)) return map[key] ?? null;
  if (unmapped === 'null') return null;
  if (unmapped === 'reject') throw new RowProblem('value_map', 'has no entry in the value map (unmapped: reject)', value);
  return value;
}

/**
 * {@link evaluateValue} for one payload field, recording a problem instead of throwing and the
 * warnings under the field's name.
 * @returns the value (null when absent), or undefined when a problem was recorded
 */
export function evaluateField(source: ValueSource, record: Readonly<Record<string, unknown>>, field: string, state: RowState): JsonValue | undefined {
  const context: TransformContext = {
    ...(state.phoneRegion !== undefined ? { phoneRegion: state.phoneRegion } : {}),
    warn: (rule, message) => state.warnings.push({ field, rule, message }),
  };
  try {
    return evaluateValue(source, record, context);
  } catch (error) {
    if (!(error instanceof RowProblem)) throw error;
    state.problems.push({ field, rule: error.rule, message: error.message, ...(error.value !== undefined ? { value: error.value } : {}) });
    return undefined;
  }
}
