import { z } from 'zod';
import { RowProblem } from './row-problem.js';
import { toJsonValue } from './to-json-value.js';
import type { JsonValue } from './to-json-value.js';

/** A column reference split apart: `"meta.identities.0.id"` → column `meta`, path `['identities', '0', 'id']`. */
export interface ColumnPath {
  column: string;
  /** Object keys or array indexes inside the column's JSON; `[]` for a plain column. */
  jsonPath: string[];
}

/** Splits `"col.a.0.b"` at its dots: the first segment is the column, the rest a JSON path. */
export function splitColumnPath(ref: string): ColumnPath {
  const [column = '', ...jsonPath] = ref.split('.');
  return { column, jsonPath };
}

/** Records that are elements of a JSON array (`from: { json }`): their keys are optional, so a missing one is null. */
const jsonRecords = new WeakSet<object>();

/** Marks a record as a JSON element, where a missing key means null rather than a missing column. */
export function markJsonRecord<T extends object>(record: T): T {
  jsonRecords.add(record);
  return record;
}

/**
 * The record of a lookup or a pick, set in the user row under its name (`profile`): a reference
 * `profile.bio` reads its column `bio` (and a JSON path on from there), and a column it lacks is a
 * missing column, not null. `row` is one record, or with a pick's `all` a list of them; `label`
 * names it in messages. A class, not a mark on the record: one small object per user costs less
 * than a WeakMap entry, and the record itself is left as read.
 */
export class RelatedRecord {
  constructor(
    readonly label: string,
    readonly row: Readonly<Record<string, unknown>> | ReadonlyArray<Readonly<Record<string, unknown>>>,
  ) {}
}

/** What a lookup or pick holds when it cannot choose one row: any read through it is `problem`, so each field it feeds follows its own `onInvalid`. */
export class RelatedProblem {
  constructor(readonly problem: RowProblem) {}
}

/** Columns of a related record the extractor uses for itself (`__dynamic_migrate_user`): never part of the record read whole. */
const INTERNAL_COLUMN = /^__dynamic_migrate_/;

/** Reads one column reference from a record; see {@link compileColumnRead}. */
export type ColumnReader = (record: Readonly<Record<string, unknown>>) => JsonValue;

/**
 * Reads a column, or a value inside a JSON column, from one record. json/jsonb columns arrive
 * parsed from pg; a text column holding JSON is parsed here when a path is asked of it. A key or
 * index that is not there gives null, as does a path into null: a user without that attribute.
 * @throws RowProblem `missing_column` when the column is not in the (database) record, `type` when a path is
 *   asked of text that is not JSON
 */
export function readColumnPath(record: Readonly<Record<string, unknown>>, ref: string): JsonValue {
  return readSplitColumn(record, splitColumnPath(ref));
}

/**
 * {@link readColumnPath} with the reference split once, up front: what a compiled mapping calls
 * per row, so the split is not repeated for every value read.
 */
export function compileColumnRead(ref: string): ColumnReader {
  const path = splitColumnPath(ref);
  const { column } = path;
  // Most references are a plain column: read it without walking a path.
  if (path.jsonPath.length === 0) return (record) => (Object.hasOwn(record, column) ? columnValueToJson(record[column]) : absentColumn(record, column));
  return (record) => readSplitColumn(record, path);
}

/**
 * A column's value as JSON: what toJsonValue makes of it, except that a lookup's or pick's record
 * is that record (a plain object of its columns), and one that could not choose a row is its problem.
 * @throws RowProblem as toJsonValue, or the lookup's or pick's problem
 */
export function columnValueToJson(value: unknown): JsonValue {
  return typeof value === 'object' && value !== null ? readRelated(value, []) : toJsonValue(value);
}

function readSplitColumn(record: Readonly<Record<string, unknown>>, { column, jsonPath }: ColumnPath): JsonValue {
  if (!Object.hasOwn(record, column)) return absentColumn(record, column);
  let node: unknown = record[column];
  if (typeof node === 'object' && node !== null) return readRelated(node, jsonPath);
  if (jsonPath.length === 0) return toJsonValue(node);
  if (typeof node === 'string') node = parseJsonText(node, column);
  return walkPath(node, jsonPath);
}

/**
 * A path into an object-valued column: a lookup's or pick's row (its column first, then a JSON
 * path into that), the stand-in of one that could not choose a row, or JSON (jsonb, arrays).
 */
function readRelated(node: object, path: readonly string[]): JsonValue {
  if (node instanceof RelatedProblem) throw new RowProblem(node.problem.rule, node.problem.message);
  if (!(node instanceof RelatedRecord)) return path.length === 0 ? toJsonValue(node) : walkPath(node, path);
  const { row, label } = node;
  if (path.length === 0) return Array.isArray(row) ? row.map(wholeRecord) : wholeRecord(row as Readonly<Record<string, unknown>>);
  // A pick with `all`: the list of what each row holds there.
  if (Array.isArray(row)) return row.map((each: Readonly<Record<string, unknown>>) => readRelatedColumn(each, path, label));
  return readRelatedColumn(row as Readonly<Record<string, unknown>>, path, label);
}

function wholeRecord(row: Readonly<Record<string, unknown>>): JsonValue {
  const visible: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) if (!INTERNAL_COLUMN.test(column)) visible[column] = value;
  return toJsonValue(visible);
}

function readRelatedColumn(record: Readonly<Record<string, unknown>>, path: readonly string[], label: string): JsonValue {
  const [column = '', ...rest] = path;
  if (!Object.hasOwn(record, column)) throw new RowProblem('missing_column', `column "${column}" is not in ${label}`);
  let value: unknown = record[column];
  if (rest.length === 0) return toJsonValue(value);
  if (typeof value === 'string') value = parseJsonText(value, `${label}.${column}`);
  return walkPath(value, rest);
}

/**
 * A column the record lacks: null in a JSON element (its keys are optional), else the mapping
 * names a column the query did not return.
 * @throws RowProblem `missing_column`
 */
export function absentColumn(record: Readonly<Record<string, unknown>>, column: string): null {
  if (jsonRecords.has(record)) return null;
  throw new RowProblem('missing_column', `column "${column}" is not in the source row`);
}

/**
 * Reads a column that must hold JSON as a whole (a `from: { json }` array): text holding JSON is
 * parsed, json/jsonb are taken as they come.
 * @throws RowProblem as {@link readColumnPath}
 */
export function readJsonColumnPath(record: Readonly<Record<string, unknown>>, ref: string): JsonValue {
  const { column, jsonPath } = splitColumnPath(ref);
  if (!Object.hasOwn(record, column)) throw new RowProblem('missing_column', `column "${column}" is not in the source row`);
  const node = record[column];
  if (node instanceof RelatedRecord || node instanceof RelatedProblem) {
    // `profile.links`: the lookup's column, which may hold JSON as text.
    const value = readRelated(node, jsonPath);
    return typeof value === 'string' ? toJsonValue(parseJsonText(value, ref)) : value;
  }
  return walkPath(typeof node === 'string' ? parseJsonText(node, column) : node, jsonPath);
}

function walkPath(start: unknown, jsonPath: readonly string[]): JsonValue {
  let node = start;
  for (const key of jsonPath) {
    node = step(node, key);
    if (node === undefined) return null;
  }
  return toJsonValue(node);
}

function parseJsonText(text: string, column: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RowProblem('type', `column "${column}" holds text that is not JSON, so a path cannot be read from it`);
  }
}

const ARRAY_INDEX = /^\d+$/;

function step(node: unknown, key: string): unknown {
  if (Array.isArray(node)) return ARRAY_INDEX.test(key) ? node[Number(key)] : undefined;
  if (typeof node === 'object' && node !== null && !(node instanceof Date) && Object.hasOwn(node, key)) {
    return (node as Record<string, unknown>)[key];
  }
  return undefined;
}

/** True for null and for text that is empty or only blanks: what `firstOf` skips. */
export function isBlank(value: JsonValue): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

/** A column, optionally followed by a dotted JSON path: `email`, `raw_user_meta_data.full_name`, `identities.0.id`. */
const COLUMN_REF = /^[^.\s{}]+(\.[^.\s{}]+)*$/u;

/** Schema of a column reference (JSON paths allowed). */
export const columnRefSchema = z
  .string({ error: 'must be a column name (text)' })
  .min(1, { error: 'must not be empty' })
  .regex(COLUMN_REF, { error: 'must be a column name, optionally followed by a JSON path such as "profile.address.city" (no spaces, braces or empty segments)' })
  .describe('A column of the record, optionally followed by a JSON path: "email", "raw_user_meta_data.full_name", "identities.0.id".');

/** Whether text is a well-formed column reference (used by template placeholders). */
export function isColumnRef(text: string): boolean {
  return COLUMN_REF.test(text);
}
