import { sql } from 'kysely';
import { ExtractError } from '../errors.js';
import type { SourceRow } from '../mapping/source-row.js';
import type { SourceChildSpec, SourceSpec } from '../mapping/source-spec.js';
import type { SourceDb } from './connect-source.js';
import { readLookupRows } from './read-lookup-rows.js';
import { selectRows } from './select-rows.js';
import { columnRef, orderTerms, selectList, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/**
 * Turns a page of parent rows into {@link SourceRow}s: each row's key, its child rows fetched
 * with one query per child table (`where fk = any($keys)`), never one per user, and its lookups'
 * rows, one query per lookup (see readLookupRows). Shared by every
 * reader (full pass, changed rows, parents of changed children), so a user reads the same whichever
 * pass finds it.
 */
export async function attachChildren(db: SourceDb, spec: SourceSpec, rows: Row[], signal?: AbortSignal): Promise<SourceRow[]> {
  const children = Object.entries(spec.children ?? {});
  const keys = rows.map((row) => keyOf(row, spec.primaryKey, spec.table));
  signal?.throwIfAborted();
  // The child tables are independent: read them side by side (the pool has a connection for each of two).
  const [childRows, lookupRows] = await Promise.all([
    Promise.all(children.map(async ([name, child]) => [name, await readChildRows(db, name, child, keys, signal)] as const)).then((read) => new Map(read)),
    spec.lookups ? readLookupRows(db, spec, rows, keys, signal) : undefined,
  ]);
  return rows.map((row, index) => {
    const key = keys[index] as string;
    const grouped: SourceRow['children'] = {};
    for (const [name] of children) grouped[name] = childRows.get(name)?.get(key) ?? [];
    return lookupRows ? { key, row, children: grouped, lookups: lookupRows[index]! } : { key, row, children: grouped };
  });
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
  const query = sql<Row>`select ${selectList(child.readColumns)} from ${tableRef(child.table)} ${where} order by ${order}`;
  let rows: Row[];
  try {
    rows = await selectRows(db, query, signal);
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

/** The value of `column` as an exact string; a null key is a broken source, not a skippable row. */
export function keyOf(row: Row, column: string, table: string): string {
  const value = row[column];
  if (value === null || value === undefined) {
    throw new ExtractError(`table "${table}" returned a row without a value in column "${column}"`);
  }
  return String(value);
}
