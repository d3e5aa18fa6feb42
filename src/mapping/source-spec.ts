import { z } from 'zod';
import { sourceFilterSchema } from './source-filter.js';
import { identifier, tableName } from './sql-names.js';

export { sqlFilterSchema, sourceFilterSchema, type FilterValue, type SourceFilter } from './source-filter.js';

/** `created_at desc, id`: comma-separated columns, each optionally `asc`/`desc` (the extractor's format). */
const ORDER_BY = /^\s*[A-Za-z_][A-Za-z0-9_$]*(\s+(asc|desc))?(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*(\s+(asc|desc))?)*\s*$/i;

/** A child table read once per page with `WHERE <foreignKey> IN (<page keys>)`. */
export const childSpecSchema = z.strictObject({
  /** Table holding the child rows, optionally schema-qualified. */
  table: tableName.describe('Table holding the child rows, optionally schema-qualified.'),
  /** Column of the child table that references the parent's primary key. */
  foreignKey: identifier('column name').describe("Column of the child table that references the user's primary key."),
  /** Order of one user's child rows: `"created_at desc, id"`. Unspecified without it. */
  orderBy: z.string().regex(ORDER_BY, { error: 'must be column names separated by commas, each optionally followed by asc or desc' }).optional().describe('Order of one user\'s child rows: "created_at desc, id".'),
  /** Which child rows are read: declarative (`{ isNull }`, `{ equals }`, ...) or `{ sql }`. */
  filter: sourceFilterSchema.optional(),
  /**
   * Timestamp column of the child table that moves when a child row is added or changed
   * (`created_at` for append-only tables). Incremental runs re-send the users whose child rows
   * changed since the last run. Without it, a child change alone does not re-send its user.
   */
  changeColumn: identifier('column name').optional().describe('Timestamp column of the child table that moves when a child row is added or changed; incremental runs re-send users whose child rows changed.'),
});
export type ChildSpec = z.infer<typeof childSpecSchema>;

/**
 * What the extractor needs to read users: the mapping's `source` section is exactly this.
 * The extractor imports it from `src/mapping/mapping-spec.ts`.
 */
export const sourceSpecSchema = z.strictObject({
  /** The users table, optionally schema-qualified: `users`, `auth.users`. */
  table: tableName.describe('The users table, optionally schema-qualified: "users", "auth.users".'),
  /** Single-column primary key; keyset pagination walks it in ascending order. */
  primaryKey: identifier('column name').describe('Single-column primary key; rows are read in its order.'),
  /** Rows that must not be migrated are filtered out here (e.g. `{ isNull: 'deleted_at' }`). */
  filter: sourceFilterSchema.optional(),
  /**
   * The change cursor of incremental runs: a `timestamp`/`timestamptz` column the application sets
   * on every insert and update (`updated_at`). After the first full run, each run reads the rows
   * whose `(column, primaryKey)` is past the last settled cursor. An index on `(column, primaryKey)`
   * keeps that read cheap. Without it, reruns only pick up rows with a larger primary key.
   */
  changeCursor: z
    .strictObject({
      /** The timestamp column, e.g. `updated_at`. */
      column: identifier('column name').describe('Timestamp column set on every insert and update, e.g. "updated_at".'),
    })
    .optional()
    .describe('Change cursor of incremental reruns: a timestamp column set on every insert and update.'),
  /** Child tables by name; wallet and OAuth rules refer to them with `from: '<name>'`. */
  children: z
    .record(
      identifier('child name').refine((name) => name !== 'row', { error: '"row" is reserved for the user row itself' }),
      childSpecSchema,
    )
    .optional()
    .describe('Child tables (1:N) by name; wallet and OAuth rules read them with from: "<name>".'),
});
export type SourceSpec = z.infer<typeof sourceSpecSchema>;
