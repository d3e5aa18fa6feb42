import { sql } from 'kysely';
import type { SourceRow } from '../mapping/source-row.js';
import type { SourceSpec } from '../mapping/source-spec.js';
import { attachChildren } from './attach-children.js';
import type { SourceDb } from './connect-source.js';
import { readParentRows } from './read-parent-rows.js';
import { columnRef } from './source-sql.js';

/**
 * The rows of `keys` that pass the source filter, with their children, a page of at most
 * `pageSize` keys per query, in primary-key order within each page: how the users left in doubt
 * are read again. Keys no longer selected (deleted, filtered out) are simply not yielded.
 */
export async function* readRowsByKeys(
  db: SourceDb,
  spec: SourceSpec,
  keys: readonly string[],
  opts: { pageSize: number; signal?: AbortSignal },
): AsyncGenerator<SourceRow[]> {
  const pk = columnRef(spec.primaryKey);
  for (let start = 0; start < keys.length; start += opts.pageSize) {
    opts.signal?.throwIfAborted();
    const chunk = keys.slice(start, start + opts.pageSize);
    // `pk = any($1)`: PostgreSQL types the array after the column, so bigint, uuid and text keys all work.
    const rows = await readParentRows(db, spec, [sql`${pk} = any(${chunk})`], { signal: opts.signal, doing: `re-reading users by key from "${spec.table}"` });
    if (rows.length > 0) yield await attachChildren(db, spec, rows, opts.signal);
  }
}
