import { RowProblem } from './row-problem.js';
import { toJsonValue } from './to-json-value.js';
import type { JsonValue } from './to-json-value.js';
import { applyTransform } from './transforms.js';
import type { ValueSource } from './value-source.js';

/** A value that could not be built, with the payload field it was meant for. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
  /** Unmasked here; masked when it becomes a rejection. */
  value?: unknown;
}

/**
 * Computes one value source against one record (the user row or a child row): read the column,
 * turn it into JSON, apply the transforms in order, then the value map, then the default.
 * @throws RowProblem when a column is missing, a transform cannot apply or a value is unmapped
 */
export function evaluateValue(source: ValueSource, record: Readonly<Record<string, unknown>>): JsonValue {
  if ('constant' in source) return source.constant;
  if (!Object.hasOwn(record, source.column)) {
    throw new RowProblem('missing_column', `column "${source.column}" is not in the source row`);
  }
  let value = toJsonValue(record[source.column]);
  for (const name of source.transforms ?? []) value = applyTransform(name, value);
  if (source.map && value !== null) value = lookUp(source.map, value, source.unmapped ?? 'keep');
  return value ?? source.default ?? null;
}

function lookUp(map: Readonly<Record<string, JsonValue>>, value: Exclude<JsonValue, null>, unmapped: 'keep' | 'null' | 'reject'): JsonValue {
  const key = typeof value === 'object' ? undefined : String(value);
  // hasOwn, not `in`: a legacy value such as "constructor" must not find Object.prototype.
  if (key !== undefined && Object.hasOwn(map, key)) return map[key] ?? null;
  if (unmapped === 'null') return null;
  if (unmapped === 'reject') throw new RowProblem('value_map', 'has no entry in the value map (unmapped: reject)', value);
  return value;
}

/**
 * {@link evaluateValue} for one payload field, recording a problem instead of throwing.
 * @returns the value (null when absent), or undefined when a problem was recorded
 */
export function evaluateField(
  source: ValueSource,
  record: Readonly<Record<string, unknown>>,
  field: string,
  problems: FieldProblem[],
): JsonValue | undefined {
  try {
    return evaluateValue(source, record);
  } catch (error) {
    if (!(error instanceof RowProblem)) throw error;
    problems.push({ field, rule: error.rule, message: error.message, ...(error.value !== undefined ? { value: error.value } : {}) });
    return undefined;
  }
}
