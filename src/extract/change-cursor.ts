import { ExtractError } from '../errors.js';

/**
 * A position in `(change column, primary key)` order. `at` is the column's value as PostgreSQL
 * prints it (`2026-05-01 10:00:00.123456+00`), kept as text so microseconds survive: it is compared
 * as `$1::timestamptz` and never goes through a JS `Date`. A `key` of `''` sorts before every key,
 * so `{ at: T, key: '' }` means "every row changed at T or later".
 */
export interface ChangeCursor {
  at: string;
  key: string;
}

/** The cursor as the batch journal keeps it: JSON text `["<at>","<key>"]`. Pure. */
export function formatChangeCursor(cursor: ChangeCursor): string {
  return JSON.stringify([cursor.at, cursor.key]);
}

/**
 * Reads a cursor written by {@link formatChangeCursor}. Pure.
 * @throws ExtractError when the text is not such a cursor (a damaged or foreign checkpoint value).
 */
export function parseChangeCursor(text: string): ChangeCursor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || value[0] === '' || typeof value[1] !== 'string') {
    throw new ExtractError(`not a change cursor: ${JSON.stringify(text.slice(0, 100))} (expected ["<timestamp>","<key>"])`);
  }
  return { at: value[0], key: value[1] };
}
