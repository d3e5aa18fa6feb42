import { sql } from 'kysely';
import type { LookupRows } from '../mapping/source-row.js';
import { userKeyOf, type SourceLookupSpec, type SourceSpec } from '../mapping/source-spec.js';
import type { SourceDb } from './connect-source.js';
import { selectRows, executeRaw } from './select-rows.js';
import { columnRef, selectList, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/** Column alias carrying the user's primary key beside a lookup row (the mapper leaves `__dynamic_migrate_` columns out of a whole record). */
const USER_ALIAS = '__dynamic_migrate_user';

/**
 * Each lookup's rows for a page of user rows (`keys`: their primary keys, as the page has them):
 * one query per lookup, never one per user, joining the users of the page to the lookup table in
 * SQL, so keys match as PostgreSQL compares them (a numeric `1.0`, a padded `char`, a `citext`)
 * and not as their text; for a one-to-one lookup on a column other than the primary key, one more
 * query counts the users of the whole source sharing each value. Rows are handed on as found
 * (several for one user included): what they mean is the mapper's to say. Per row, by lookup name.
 */
export async function readLookupRows(db: SourceDb, spec: SourceSpec, rows: Row[], keys: string[], signal?: AbortSignal): Promise<Array<Record<string, LookupRows>>> {
  const lookups = Object.entries(spec.lookups ?? {});
  const perRow = rows.map(() => ({}) as Record<string, LookupRows>);
  if (lookups.length === 0 || rows.length === 0) return perRow;
  await Promise.all(lookups.map(async ([name, lookup]) => {
    const userKey = userKeyOf(spec, lookup);
    const values = [...new Set(rows.flatMap((row) => (row[userKey] === null || row[userKey] === undefined ? [] : [String(row[userKey])])))];
    const [found, shared] = await Promise.all([
      readMatching(db, spec, name, lookup, keys, values, signal),
      (lookup.relation ?? 'one-to-one') === 'one-to-one' && userKey !== spec.primaryKey ? countSharing(db, spec, name, userKey, values, signal) : new Map<string, number>(),
    ]);
    rows.forEach((row, index) => {
      const value = row[userKey];
      const sharing = value === null || value === undefined ? undefined : shared.get(String(value));
      perRow[index]![name] = { rows: found.get(keys[index]!) ?? [], sharedWith: sharing === undefined ? 0 : sharing - 1 };
    });
  }));
  return perRow;
}

/**
 * The lookup table's rows (through its filter) matching the users of `keys`, grouped by user key.
 * `key = any(<the page's userKey values>)` lets the planner use the key's index (one probe per
 * value, not a scan of the table per page); the join then decides which user each row is for.
 * `values` (as text) only says whether there is anything to look up.
 */
async function readMatching(db: SourceDb, spec: SourceSpec, name: string, lookup: SourceLookupSpec, keys: string[], values: string[], signal: AbortSignal | undefined): Promise<Map<string, Row[]>> {
  const byUser = new Map<string, Row[]>();
  if (values.length === 0) return byUser;
  const pk = columnRef(spec.primaryKey);
  const key = columnRef(lookup.key);
  const related = sql`select ${selectList(lookup.readColumns)} from ${tableRef(lookup.table)} ${whereClause([], lookup.filter)}`;
  const userKey = columnRef(userKeyOf(spec, lookup));
  // The page's userKey values read from the users table again, so they keep the user column's type
  // and compare with the key exactly as the join does (numeric against integer, char against text).
  const pageValues = sql`array(select p.${userKey} from ${tableRef(spec.table)} as p where p.${pk} = any(${keys}))`;
  const query = sql<Row>`select u.${pk} as ${sql.id(USER_ALIAS)}, l.* from ${tableRef(spec.table)} as u join (${related}) as l on l.${key} = u.${userKey} where u.${pk} = any(${keys}) and l.${key} = any(${pageValues})`;
  let found: Row[];
  try {
    found = await selectRows(db, query, signal);
  } catch (error) {
    throw toExtractError(error, `reading lookup "${name}" from table "${lookup.table}" (key "${lookup.key}")`);
  }
  for (const row of found) {
    // Left in the row (deleting a property slows every later read of it); a whole-record read skips it.
    const user = String(row[USER_ALIAS]);
    const list = byUser.get(user);
    if (list) list.push(row);
    else byUser.set(user, [row]);
  }
  return byUser;
}

/** How many users of the source (through its filter) have each of `values` in `userKey`, for the values more than one has. */
async function countSharing(db: SourceDb, spec: SourceSpec, name: string, userKey: string, values: string[], signal: AbortSignal | undefined): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (values.length === 0) return counts;
  const column = columnRef(userKey);
  const query = sql<{ value: unknown; users: string | number }>`select ${column} as value, count(*) as users from ${tableRef(spec.table)} ${whereClause([sql`${column} = any(${values})`], spec.filter)} group by ${column} having count(*) > 1`;
  try {
    const { rows } = await executeRaw(db, query, signal);
    for (const row of rows) counts.set(String(row.value), Number(row.users));
  } catch (error) {
    throw toExtractError(error, `counting the users of "${spec.table}" that share a row of lookup "${name}" (column "${userKey}")`);
  }
  return counts;
}
