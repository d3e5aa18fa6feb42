import type { z } from 'zod';
import { RowProblem } from './row-problem.js';

/** Any JSON value: what a value source yields and what a payload is made of. */
export type JsonValue = z.core.util.JSONType;

/** Nesting deeper than this is not a user record; it also stops a cycle from looping forever. */
const MAX_DEPTH = 64;

/**
 * Turns a value as pg returns it into plain JSON, so transforms, maps and hashes see one kind of
 * value: Date → ISO-8601 (UTC), bigint → decimal string, jsonb stays an object, SQL NULL → null.
 * Values JSON cannot carry (binary, NaN, functions) are a `type` problem of the row.
 */
export function toJsonValue(value: unknown, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) throw new RowProblem('type', `is nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw new RowProblem('type', 'is not a finite number', value);
    case 'bigint':
      return value.toString();
    case 'object':
      return objectToJson(value, depth);
    default:
      throw new RowProblem('type', `is a ${typeof value}, which cannot be mapped`);
  }
}

function objectToJson(value: object, depth: number): JsonValue {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RowProblem('type', 'is an invalid date');
    return value.toISOString();
  }
  if (Array.isArray(value)) return value.map((item: unknown) => toJsonValue(item, depth + 1));
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new RowProblem('type', 'is binary data, which cannot be mapped');
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new RowProblem('type', 'is an object of a class, which cannot be mapped');
  }
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = toJsonValue(item, depth + 1);
  }
  return out;
}
