import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { columnRefSchema, readColumnPath } from './column-path.js';
import type { JsonValue } from './to-json-value.js';

/** A test on the record being mapped, for `{ when, then, else }`. Column refs may be JSON paths. */
export type Condition =
  | { notNull: string }
  | { isNull: string }
  | { equals: { column: string; value: JsonValue } }
  | { in: { column: string; values: JsonValue[] } }
  | { all: Condition[] }
  | { any: Condition[] };

/** A condition as written: lists may be readonly (`as const`). */
export type ConditionInput =
  | { notNull: string }
  | { isNull: string }
  | { equals: { column: string; value: JsonValue } }
  | { in: { column: string; values: readonly JsonValue[] } }
  | { all: readonly ConditionInput[] }
  | { any: readonly ConditionInput[] };

export const conditionSchema: z.ZodType<Condition, ConditionInput> = z.lazy(() =>
  z.union(
    [
      z.strictObject({ notNull: columnRefSchema }).describe('True when the column (or JSON path) is not null.'),
      z.strictObject({ isNull: columnRefSchema }).describe('True when the column (or JSON path) is null or missing in the JSON.'),
      z.strictObject({ equals: z.strictObject({ column: columnRefSchema, value: z.json() }) }).describe('True when the value equals `value` (numbers and their text compare equal).'),
      z.strictObject({ in: z.strictObject({ column: columnRefSchema, values: z.array(z.json()).min(1, { error: 'must list at least one value' }) }) }).describe('True when the value is one of `values`.'),
      z.strictObject({ all: z.array(conditionSchema).min(1, { error: 'must list at least one condition' }) }).describe('True when every condition is.'),
      z.strictObject({ any: z.array(conditionSchema).min(1, { error: 'must list at least one condition' }) }).describe('True when at least one condition is.'),
    ],
    { error: 'is not a condition: expected { notNull }, { isNull }, { equals: { column, value } }, { in: { column, values } }, { all: [...] } or { any: [...] }' },
  ),
).meta({ id: 'Condition', description: 'A test on the record being mapped.' });

/**
 * Evaluates a condition against one record.
 * @throws RowProblem `missing_column` when a column it names is not in the record
 */
export function evaluateCondition(condition: Condition, record: Readonly<Record<string, unknown>>): boolean {
  if ('notNull' in condition) return readColumnPath(record, condition.notNull) !== null;
  if ('isNull' in condition) return readColumnPath(record, condition.isNull) === null;
  if ('equals' in condition) return sameValue(readColumnPath(record, condition.equals.column), condition.equals.value);
  if ('in' in condition) {
    const value = readColumnPath(record, condition.in.column);
    return condition.in.values.some((candidate) => sameValue(value, candidate));
  }
  if ('all' in condition) return condition.all.every((inner) => evaluateCondition(inner, record));
  return condition.any.some((inner) => evaluateCondition(inner, record));
}

/**
 * Equality as a mapping author means it: JSON-equal, except that a number equals its text, since
 * pg returns int8 and numeric columns as text (`'5'` equals `5`).
 */
export function sameValue(actual: JsonValue, expected: JsonValue): boolean {
  if (typeof actual === 'object' || typeof expected === 'object') return canonicalJson(actual) === canonicalJson(expected);
  if (typeof actual === typeof expected) return actual === expected;
  if (typeof actual === 'boolean' || typeof expected === 'boolean') return false;
  return String(actual) === String(expected);
}
