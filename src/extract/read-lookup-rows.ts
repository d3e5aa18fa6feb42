import { sql } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SourceDb } from './connect-source.js';
import type { LookupRows } from './source-row.js';
import type { SourceLookupSpec, SourceSpec } from './source-spec.js';
import { selectRows } from './select-rows.js';
import { columnRef, selectList, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/**
 * Each lookup's rows for a page of user rows: one query per lookup (`where key = any($values)`,
 * the page's distinct `userKey` values), never one per user; for a one-to-one lookup on a column
 * other than the primary key, one more query counts the users of the whole source sharing each
 * value. Rows are handed on as found (several for one user included): what they mean is the
 * mapper's to say. Per row, by lookup name.
 */
export async function readLookupRows(db: SourceDb, spec: SourceSpec, rows: Row[], signal?: AbortSignal): Promise<Array<Record<string, LookupRows>>> {
  const lookups = Object.entries(spec.lookups ?? {});
  const perRow = rows.map(() => ({}) as Record<string, LookupRows>);
  if (lookups.length === 0) return perRow;
  await Promise.all(lookups.map(async ([name, lookup]) => {
    const userKey = lookup.userKey ?? spec.primaryKey;
    const values = [...new Set(rows.flatMap((row) => (row[userKey] === null || row[userKey] === undefined ? [] : [String(row[userKey])])))];
    const [found, shared] = await Promise.all([
      readMatching(db, name, lookup, values, signal),
      (lookup.relation ?? 'one-to-one') === 'one-to-one' && userKey !== spec.primaryKey ? countSharing(db, spec, name, userKey, values, signal) : new Map<string, number>(),
    ]);
    rows.forEach((row, index) => {
      if (Object.hasOwn(row, name)) {
        throw new ConfigError(`table "${spec.table}" has a column "${name}", which lookup "${name}" would hide: give the lookup another name`);
      }
      const value = row[userKey];
      const key = value === null || value === undefined ? undefined : String(value);
      perRow[index]![name] = { rows: (key !== undefined && found.get(key)) || [], sharedWith: key === undefined ? 0 : Math.max(0, (shared.get(key) ?? 1) - 1) };
    });
  }));
  return perRow;
}

/** The lookup table's rows whose key is one of `values`, grouped by key as text. */
async function readMatching(db: SourceDb, name: string, lookup: SourceLookupSpec, values: string[], signal: AbortSignal | undefined): Promise<Map<string, Row[]>> {
  const byKey = new Map<string, Row[]>();
  if (values.length === 0) return byKey;
  const key = columnRef(lookup.key);
  const query = sql<Row>`select ${selectList(lookup.readColumns)} from ${tableRef(lookup.table)} ${whereClause([sql`${key} = any(${values})`], lookup.filter)}`;
  let found: Row[];
  try {
    found = await selectRows(db, query, signal);
  } catch (error) {
    throw toExtractError(error, `reading lookup "${name}" from table "${lookup.table}" (key "${lookup.key}")`);
  }
  for (const row of found) {
    const value = row[lookup.key];
    if (value === null || value === undefined) continue;
    const list = byKey.get(String(value));
    if (list) list.push(row);
    else byKey.set(String(value), [row]);
  }
  return byKey;
}

/** How many users of the source (through its filter) have each of `values` in `userKey`, for the values more than one has. */
async function countSharing(db: SourceDb, spec: SourceSpec, name: string, userKey: string, values: string[], signal: AbortSignal | undefined): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (values.length === 0) return counts;
  const column = columnRef(userKey);
  const query = sql<{ value: unknown; users: string | number }>`select ${column} as value, count(*) as users from ${tableRef(spec.table)} ${whereClause([sql`${column} = any(${values})`], spec.filter)} group by ${column} having count(*) > 1`;
  try {
    const { rows } = await query.execute(db, { signal });
    for (const row of rows) counts.set(String(row.value), Number(row.users));
  } catch (error) {
    throw toExtractError(error, `counting the users of "${spec.table}" that share a row of lookup "${name}" (column "${userKey}")`);
  }
  return counts;
}
