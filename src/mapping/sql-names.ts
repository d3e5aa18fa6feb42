import { z } from 'zod';

/** A SQL identifier we are willing to quote and send: letters, digits, `_` and `$`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** A table name, optionally schema-qualified (`auth.users`). */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** A column (or child) name: one SQL identifier, quoted by the extractor. */
export const identifier = (what: string) =>
  z.string({ error: `must be a ${what} (text)` }).regex(IDENTIFIER, { error: `is not a valid ${what}` });

/** A table name, optionally schema-qualified. */
export const tableName = z
  .string({ error: 'must be a table name (text)' })
  .regex(TABLE_NAME, { error: 'is not a valid table name (expected "table" or "schema.table")' });
