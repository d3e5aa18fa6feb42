import { sql } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SourceRow } from '../mapping/source-row.js';
import { userKeyOf, type SourceSpec } from '../mapping/source-spec.js';
import { attachChildren, keyOf } from './attach-children.js';
import type { SourceDb } from './connect-source.js';
import { readParentRows } from './read-parent-rows.js';
import { columnRef, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';
import { executeRaw } from './select-rows.js';

type Row = Record<string, unknown>;

/** Options of {@link readChangedChildParents}. */
export interface ReadChangedChildParentsOptions {
  /** The child or lookup (a name from `source.children` or `source.lookups`) whose `changeColumn` is read. */
  child: string;
  /** Child rows changed strictly after this timestamp (text, as the database printed it)... */
  since: string;
  /** ...and at or before this one (the run's frozen `now() - lag`). */
  upper: string;
  pageSize: number;
  signal?: AbortSignal;
}

/** A related table whose changes re-send users: rows with `key` = the user's `userColumn`. */
interface ChangeSource {
  table: string;
  key: string;
  changeColumn: string;
  userColumn: string;
}

/** The child or lookup `name`, as a table whose changed rows point at users. */
function changeSourceOf(spec: SourceSpec, name: string): ChangeSource {
  const child = spec.children?.[name];
  if (child?.changeColumn) return { table: child.table, key: child.foreignKey, changeColumn: child.changeColumn, userColumn: spec.primaryKey };
  const lookup = spec.lookups?.[name];
  if (lookup?.changeColumn) return { table: lookup.table, key: lookup.key, changeColumn: lookup.changeColumn, userColumn: userKeyOf(spec, lookup) };
  throw new ConfigError(`"${name}" is no child or lookup with a changeColumn`);
}

/**
 * Reads, in primary-key order, the users with a row of a child or lookup changed in
 * `(since, upper]`: a new wallet, a new identity, an edited profile. Their keys are found on the
 * related table (`distinct key`, keyset paginated on it), then the users with those keys (in the
 * primary key, or a lookup's `userKey`) are re-read through the source filter, with all their
 * children and lookups, exactly as the other passes read them. The related table's own filter is
 * not applied to the change test: a row leaving the filter changes the user too.
 * @throws ConfigError when the name is unknown or has no changeColumn; ExtractError on a failed query.
 */
export async function* readChangedChildParents(db: SourceDb, spec: SourceSpec, opts: ReadChangedChildParentsOptions): AsyncGenerator<SourceRow[]> {
  const child = changeSourceOf(spec, opts.child);
  const fk = columnRef(child.key);
  const changed = columnRef(child.changeColumn);
  let after: string | null = null;
  for (;;) {
    opts.signal?.throwIfAborted();
    const conditions = [sql`${changed} > ${opts.since}::timestamptz`, sql`${changed} <= ${opts.upper}::timestamptz`];
    if (after !== null) conditions.push(sql`${fk} > ${after}`);
    const query = sql<Row>`select ${fk} from ${tableRef(child.table)} ${whereClause(conditions)} group by ${fk} order by ${fk} limit ${sql.lit(opts.pageSize)}`;
    let found: Row[];
    try {
      found = (await executeRaw(db, query, opts.signal)).rows;
    } catch (error) {
      throw toExtractError(error, `reading changed rows of "${opts.child}" (table "${child.table}", change column "${child.changeColumn}")`);
    }
    if (found.length === 0) return;
    const keys = found.map((row) => keyOf(row, child.key, child.table));
    // A row of a many-to-one lookup may be the lookup of many users: they are read a page at a time.
    let afterUser: string | null = null;
    for (;;) {
      const parents = await readParents(db, spec, child.userColumn, keys, afterUser, opts);
      if (parents.length > 0) yield await attachChildren(db, spec, parents, opts.signal);
      if (parents.length < opts.pageSize) break;
      afterUser = keyOf(parents[parents.length - 1]!, spec.primaryKey, spec.table);
    }
    if (found.length < opts.pageSize) return;
    after = keys[keys.length - 1] as string;
  }
}

/** A page of the users whose `userColumn` is one of `keys` and that pass the source filter, in primary-key order after `afterUser`. */
function readParents(db: SourceDb, spec: SourceSpec, userColumn: string, keys: string[], afterUser: string | null, opts: ReadChangedChildParentsOptions): Promise<Row[]> {
  const conditions = [sql`${columnRef(userColumn)} = any(${keys})`];
  if (afterUser !== null) conditions.push(sql`${columnRef(spec.primaryKey)} > ${afterUser}`);
  return readParentRows(db, spec, conditions, { limit: opts.pageSize, signal: opts.signal, doing: `re-reading users of changed related rows from "${spec.table}"` });
}
