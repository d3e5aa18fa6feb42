import { sql } from 'kysely';
import { ConfigError, ExtractError } from '../errors.js';
import type { SourceDb } from './connect-source.js';
import type { SourceRow } from './source-row.js';
import type { SourceChildSpec, SourceSpec } from './source-spec.js';
import { columnRef, orderTerms, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/** Options of {@link readSourcePages}. */
export interface ReadSourcePagesOptions {
  /** Resume strictly after this primary key (the checkpoint cursor); `null` starts at the beginning. */
  after: string | null;
  /** Users per page; also the number of keys in each child query. */
  pageSize: number;
  /** Stops between pages and abandons an in-flight query. */
  signal?: AbortSignal;
}

/**
 * Reads the source table in primary-key order, one page at a time, with keyset pagination
 * (`where pk > $after [and (filter)] order by pk limit $pageSize`, never OFFSET, so page N costs
 * the same as page 1). Each page's child rows are fetched with one query per child table
 * (`where fk = any($keys)`), never one per user. Only one page is held in memory: the next is read
 * when the consumer asks for it. Works on any PostgreSQL Kysely dialect (pg, PGlite).
 *
 * Throws `ExtractError` (naming the table and what is missing) when a query fails.
 */
export async function* readSourcePages(
  db: SourceDb,
  spec: SourceSpec,
  opts: ReadSourcePagesOptions,
): AsyncGenerator<SourceRow[]> {
  if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1) {
    throw new ConfigError(`page size must be a positive integer, got ${opts.pageSize}`);
  }
  const children = Object.entries(spec.children ?? {});
  let after = opts.after;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await readParentPage(db, spec, after, opts);
    if (rows.length === 0) return;
    const keys = rows.map((row) => keyOf(row, spec.primaryKey, spec.table));
    const childRows = new Map<string, Map<string, Row[]>>();
    for (const [name, child] of children) {
      opts.signal?.throwIfAborted();
      childRows.set(name, await readChildRows(db, name, child, keys, opts.signal));
    }
    yield rows.map((row, index) => {
      const key = keys[index] as string;
      const grouped: SourceRow['children'] = {};
      for (const [name] of children) grouped[name] = childRows.get(name)?.get(key) ?? [];
      return { key, row, children: grouped };
    });
    if (rows.length < opts.pageSize) return;
    after = keys[keys.length - 1] as string;
  }
}

async function readParentPage(db: SourceDb, spec: SourceSpec, after: string | null, opts: ReadSourcePagesOptions): Promise<Row[]> {
  const pk = columnRef(spec.primaryKey);
  const where = whereClause(after === null ? [] : [sql`${pk} > ${after}`], spec.filter);
  const query = sql<Row>`select * from ${tableRef(spec.table)} ${where} order by ${pk} limit ${sql.lit(opts.pageSize)}`;
  try {
    return (await query.execute(db, { signal: opts.signal })).rows;
  } catch (error) {
    throw toExtractError(error, `reading source table "${spec.table}" (primary key "${spec.primaryKey}")`);
  }
}

/** One query for the whole page; rows grouped by the foreign key, in `orderBy` order within a user. */
async function readChildRows(
  db: SourceDb,
  name: string,
  child: SourceChildSpec,
  keys: string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, Row[]>> {
  const fk = columnRef(child.foreignKey);
  const order = sql.join([fk, ...orderTerms(child.orderBy)]);
  const where = whereClause([sql`${fk} = any(${keys})`], child.filter);
  const query = sql<Row>`select * from ${tableRef(child.table)} ${where} order by ${order}`;
  let rows: Row[];
  try {
    rows = (await query.execute(db, { signal })).rows;
  } catch (error) {
    throw toExtractError(error, `reading child "${name}" from table "${child.table}" (foreign key "${child.foreignKey}")`);
  }
  const byKey = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row, child.foreignKey, child.table);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return byKey;
}

function keyOf(row: Row, column: string, table: string): string {
  const value = row[column];
  if (value === null || value === undefined) {
    throw new ExtractError(`table "${table}" returned a row without a value in column "${column}"`);
  }
  return String(value);
}
