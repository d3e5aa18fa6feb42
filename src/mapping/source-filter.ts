import { z } from 'zod';
import { identifier } from './sql-names.js';

/** A value a declarative filter compares with; sent as a bound parameter, never spliced into SQL. */
export type FilterValue = string | number | boolean;

/**
 * Which rows of a table are read: a declarative predicate compiled to parameterised SQL by the
 * extractor, or `{ sql }`, a raw predicate (the escape hatch; trusted, since it comes from the
 * mapping file).
 */
export type SourceFilter =
  | { sql: string }
  | { isNull: string }
  | { notNull: string }
  | { equals: { column: string; value: FilterValue } }
  | { in: { column: string; values: FilterValue[] } }
  | { all: SourceFilter[] };

/** A filter as written: lists may be readonly (`as const`). */
export type SourceFilterInput =
  | { sql: string }
  | { isNull: string }
  | { notNull: string }
  | { equals: { column: string; value: FilterValue } }
  | { in: { column: string; values: readonly FilterValue[] } }
  | { all: readonly SourceFilterInput[] };

const column = identifier('column name');
const filterValue = z.union([z.string(), z.number(), z.boolean()], { error: 'must be text, a number or a boolean' });

/** Raw SQL predicate: the escape hatch for soft deletes and the like. */
const sqlFilterSchema = z
  .strictObject({
    /** A SQL boolean expression over the table's columns, e.g. `deleted_at is null`. */
    sql: z.string().trim().min(1, { error: 'must not be empty' }),
  })
  .describe('A raw SQL predicate over the table\'s columns, e.g. "deleted_at is null" (trusted: not parameterised).');

export const sourceFilterSchema: z.ZodType<SourceFilter, SourceFilterInput> = z.lazy(() =>
  z.union(
    [
      sqlFilterSchema,
      z.strictObject({ isNull: column }).describe('Rows where the column is null.'),
      z.strictObject({ notNull: column }).describe('Rows where the column is not null.'),
      z.strictObject({ equals: z.strictObject({ column, value: filterValue }) }).describe('Rows where the column equals the value.'),
      z
        .strictObject({ in: z.strictObject({ column, values: z.array(filterValue).min(1, { error: 'must list at least one value' }) }) })
        .describe('Rows where the column is one of the values.'),
      z.strictObject({ all: z.array(sourceFilterSchema).min(1, { error: 'must list at least one filter' }) }).describe('Rows matching every filter.'),
    ],
    { error: 'is not a filter: expected { sql }, { isNull }, { notNull }, { equals: { column, value } }, { in: { column, values } } or { all: [...] }' },
  ),
).meta({ id: 'SourceFilter', description: 'Which rows are read: { isNull }, { notNull }, { equals }, { in }, { all } (values bound as parameters) or a raw { sql } predicate.' });
