import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { columnRefSchema, compileColumnRead } from './column-path.js';
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
  return compileCondition(condition)(record);
}

/** A condition compiled once for a mapping: column paths split, nested conditions resolved. */
export type CompiledCondition = (record: Readonly<Record<string, unknown>>) => boolean;

/**
 * Compiles a condition into a test of one record (see {@link evaluateCondition}).
 * @throws RowProblem `missing_column`, when the test runs, if a column it names is not in the record
 */
export function compileCondition(condition: Condition): CompiledCondition {
  if ('notNull' in condition) {
    const read = compileColumnRead(condition.notNull);
    return (record) => read(record) !== null;
  }
  if ('isNull' in condition) {
    const read = compileColumnRead(condition.isNull);
    return (record) => read(record) === null;
  }
  if ('equals' in condition) {
    const read = compileColumnRead(condition.equals.column);
    const expected = condition.equals.value;
    return (record) => sameValue(read(record), expected);
  }
  if ('in' in condition) {
    const read = compileColumnRead(condition.in.column);
    const values = condition.in.values;
    return (record) => {
      const value = read(record);
      return values.some((candidate) => sameValue(value, candidate));
    };
  }
  if ('all' in condition) {
    const inner = condition.all.map(compileCondition);
    return (record) => inner.every((test) => test(record));
  }
  const inner = condition.any.map(compileCondition);
  return (record) => inner.some((test) => test(record));
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
