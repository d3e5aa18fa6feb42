import { sql } from 'kysely';
import { ConfigError } from '../errors.js';
import { attachChildren, keyOf } from './attach-children.js';
import type { SourceDb } from './connect-source.js';
import type { SourceRow } from './source-row.js';
import type { SourceSpec } from './source-spec.js';
import { readParentRows } from './read-parent-rows.js';
import { columnRef, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/** Options of {@link readChangedChildParents}. */
export interface ReadChangedChildParentsOptions {
  /** The child (a name from `spec.source.children`) whose `changeColumn` is read. */
  child: string;
  /** Child rows changed strictly after this timestamp (text, as the database printed it)... */
  since: string;
  /** ...and at or before this one (the run's frozen `now() - lag`). */
  upper: string;
  pageSize: number;
  signal?: AbortSignal;
}

/**
 * Reads, in primary-key order, the users with a child row changed in `(since, upper]`: a new
 * wallet, a new identity. Parent keys are found on the child table (`distinct fk`, keyset paginated
 * on the foreign key), then the parents are re-read by primary key through the source filter, with
 * all their children, exactly as the other passes read them. The child table's own filter is not
 * applied to the change test: a child row leaving the filter changes the user too.
 * @throws ConfigError when the child is unknown or has no changeColumn; ExtractError on a failed query.
 */
export async function* readChangedChildParents(db: SourceDb, spec: SourceSpec, opts: ReadChangedChildParentsOptions): AsyncGenerator<SourceRow[]> {
  const child = spec.children?.[opts.child];
  if (!child?.changeColumn) throw new ConfigError(`child "${opts.child}" has no changeColumn`);
  const fk = columnRef(child.foreignKey);
  const changed = columnRef(child.changeColumn);
  let after: string | null = null;
  for (;;) {
    opts.signal?.throwIfAborted();
    const conditions = [sql`${changed} > ${opts.since}::timestamptz`, sql`${changed} <= ${opts.upper}::timestamptz`];
    if (after !== null) conditions.push(sql`${fk} > ${after}`);
    const query = sql<Row>`select ${fk} from ${tableRef(child.table)} ${whereClause(conditions)} group by ${fk} order by ${fk} limit ${sql.lit(opts.pageSize)}`;
    let found: Row[];
    try {
      found = (await query.execute(db, { signal: opts.signal })).rows;
    } catch (error) {
      throw toExtractError(error, `reading changed rows of child "${opts.child}" (table "${child.table}", change column "${child.changeColumn}")`);
    }
    if (found.length === 0) return;
    const keys = found.map((row) => keyOf(row, child.foreignKey, child.table));
    const parents = await readParents(db, spec, keys, opts.signal);
    if (parents.length > 0) yield await attachChildren(db, spec, parents, opts.signal);
    if (found.length < opts.pageSize) return;
    after = keys[keys.length - 1] as string;
  }
}

/** The parents of `keys` that pass the source filter, in primary-key order. */
function readParents(db: SourceDb, spec: SourceSpec, keys: string[], signal: AbortSignal | undefined): Promise<Row[]> {
  const pk = columnRef(spec.primaryKey);
  return readParentRows(db, spec, [sql`${pk} = any(${keys})`], { signal, doing: `re-reading users of changed child rows from "${spec.table}"` });
}
