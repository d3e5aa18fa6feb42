import { z } from 'zod';

/** A SQL identifier we are willing to quote and send: letters, digits, `_` and `$`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** A table name, optionally schema-qualified (`auth.users`). */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** `created_at desc, id`: comma-separated columns, each optionally `asc`/`desc` (the extractor's format). */
const ORDER_BY = /^\s*[A-Za-z_][A-Za-z0-9_$]*(\s+(asc|desc))?(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*(\s+(asc|desc))?)*\s*$/i;

const identifier = (what: string) =>
  z.string({ error: `must be a ${what} (text)` }).regex(IDENTIFIER, { error: `is not a valid ${what}` });

const tableName = z
  .string({ error: 'must be a table name (text)' })
  .regex(TABLE_NAME, { error: 'is not a valid table name (expected "table" or "schema.table")' });

/** Raw SQL predicate: the escape hatch for soft deletes and the like. Trusted: it comes from the mapping file. */
export const sqlFilterSchema = z.strictObject({
  /** A SQL boolean expression over the table's columns, e.g. `deleted_at is null`. */
  sql: z.string().trim().min(1, { error: 'must not be empty' }),
});

/** A child table read once per page with `WHERE <foreignKey> IN (<page keys>)`. */
export const childSpecSchema = z.strictObject({
  /** Table holding the child rows, optionally schema-qualified. */
  table: tableName,
  /** Column of the child table that references the parent's primary key. */
  foreignKey: identifier('column name'),
  /** Order of one user's child rows: `"created_at desc, id"`. Unspecified without it. */
  orderBy: z.string().regex(ORDER_BY, { error: 'must be column names separated by commas, each optionally followed by asc or desc' }).optional(),
  /** Extra raw predicate on the child rows. */
  filter: sqlFilterSchema.optional(),
});
export type ChildSpec = z.infer<typeof childSpecSchema>;

/**
 * What the extractor needs to read users: the mapping's `source` section is exactly this.
 * The extractor imports it from `src/mapping/mapping-spec.ts`.
 */
export const sourceSpecSchema = z.strictObject({
  /** The users table, optionally schema-qualified: `users`, `auth.users`. */
  table: tableName,
  /** Single-column primary key; keyset pagination walks it in ascending order. */
  primaryKey: identifier('column name'),
  /** Rows that must not be migrated are filtered out here (e.g. soft-deleted ones). */
  filter: sqlFilterSchema.optional(),
  /** Child tables by name; wallet and OAuth rules refer to them with `from: '<name>'`. */
  children: z
    .record(
      identifier('child name').refine((name) => name !== 'row', { error: '"row" is reserved for the user row itself' }),
      childSpecSchema,
    )
    .optional(),
});
export type SourceSpec = z.infer<typeof sourceSpecSchema>;
