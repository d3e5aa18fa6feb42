import { sql, type RawBuilder } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SourceFilter } from '../mapping/source-filter.js';

// SQL fragments shared by the page reader and the row counter. Table and column names come from
// the mapping, so they are always quoted as identifiers (kysely doubles any embedded quote), and
// the values of declarative filters are bound parameters; only the `filter.sql` escape hatch is
// raw, and every filter is wrapped in parentheses so an `or` inside it cannot escape the keyset
// condition.

/** A table reference; `schema.table` is split and both parts are quoted. */
export function tableRef(name: string): RawBuilder<unknown> {
  if (!name.trim()) throw new ConfigError('source table name is empty');
  return sql.table(name);
}

/** A column reference, quoted as one identifier. */
export function columnRef(name: string): RawBuilder<unknown> {
  if (!name.trim()) throw new ConfigError('source column name is empty');
  return sql.id(name);
}

/** The select list: the given columns, quoted, or `*` when the reader was not told which. */
export function selectList(columns: readonly string[] | undefined): RawBuilder<unknown> {
  return columns && columns.length > 0 ? sql.join(columns.map(columnRef)) : sql`*`;
}

/** `where a and (filter)`, or nothing when there are no conditions. */
export function whereClause(conditions: RawBuilder<unknown>[], filter?: SourceFilter): RawBuilder<unknown> {
  const predicate = filter && filterSql(filter);
  const all = predicate ? [...conditions, predicate] : conditions;
  return all.length === 0 ? sql`` : sql`where ${sql.join(all, sql` and `)}`;
}

/**
 * A mapping filter as a parenthesised SQL predicate: `{ isNull: 'deleted_at' }` →
 * `("deleted_at" is null)`, `{ in: { column, values } }` → `("c" in ($1, $2))`. Values are bound
 * parameters, so PostgreSQL casts them to the column's type; a blank `{ sql }` is no filter.
 */
export function filterSql(filter: SourceFilter): RawBuilder<unknown> | undefined {
  if ('sql' in filter) return filter.sql.trim() ? sql`(${sql.raw(filter.sql)})` : undefined;
  if ('isNull' in filter) return sql`(${columnRef(filter.isNull)} is null)`;
  if ('notNull' in filter) return sql`(${columnRef(filter.notNull)} is not null)`;
  if ('equals' in filter) return sql`(${columnRef(filter.equals.column)} = ${filter.equals.value})`;
  if ('in' in filter) {
    if (filter.in.values.length === 0) return sql`(false)`;
    return sql`(${columnRef(filter.in.column)} in (${sql.join(filter.in.values)}))`;
  }
  const parts = filter.all.map(filterSql).filter((part): part is RawBuilder<unknown> => part !== undefined);
  return parts.length === 0 ? undefined : sql`(${sql.join(parts, sql` and `)})`;
}

const ORDER_TERM = /^\s*([^\s,]+)(?:\s+(asc|desc))?\s*$/i;

/**
 * Parses `"created_at desc, id"` into quoted order terms. Only column names and asc/desc are
 * accepted, so an order-by from a mapping file cannot smuggle in SQL.
 */
export function orderTerms(orderBy: string | undefined): RawBuilder<unknown>[] {
  if (!orderBy?.trim()) return [];
  return orderBy.split(',').map((term) => {
    const match = ORDER_TERM.exec(term);
    if (!match?.[1]) {
      throw new ConfigError(`orderBy "${orderBy}" must be column names, each optionally followed by asc or desc`);
    }
    const direction = match[2]?.toLowerCase() === 'desc' ? sql` desc` : sql``;
    return sql`${columnRef(match[1])}${direction}`;
  });
}
