import { sql } from 'kysely';
import type { SourceRow } from '../mapping/source-row.js';
import type { SourceSpec } from '../mapping/source-spec.js';
import { attachChildren, keyOf } from './attach-children.js';
import type { SourceDb } from './connect-source.js';
import { readParentRows } from './read-parent-rows.js';
import { columnRef, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';
import { executeRaw } from './select-rows.js';

/** One page of the source as a primary-key range: the rows with `after < key <= last`. */
export interface KeyRange {
  /** Exclusive lower bound; `null` for the first page. */
  after: string | null;
  /** Inclusive upper bound: the page's last key. */
  last: string;
}

/**
 * The pages {@link readSourcePages} would read, as key ranges only: the same keyset walk
 * (`where pk > $after [and (filter)] order by pk limit $pageSize`) selecting just the key, so
 * handing each range to a worker costs the coordinator one narrow column per row.
 */
export async function* readKeyRanges(db: SourceDb, spec: SourceSpec, opts: { after: string | null; pageSize: number; signal?: AbortSignal }): AsyncGenerator<KeyRange> {
  const pk = columnRef(spec.primaryKey);
  let after = opts.after;
  for (;;) {
    opts.signal?.throwIfAborted();
    const where = whereClause(after === null ? [] : [sql`${pk} > ${after}`], spec.filter);
    const query = sql<Record<string, unknown>>`select ${pk} from ${tableRef(spec.table)} ${where} order by ${pk} limit ${sql.lit(opts.pageSize)}`;
    let rows: Record<string, unknown>[];
    try {
      rows = (await executeRaw(db, query, opts.signal)).rows;
    } catch (error) {
      throw toExtractError(error, `reading the keys of source table "${spec.table}" (primary key "${spec.primaryKey}")`);
    }
    const lastRow = rows[rows.length - 1];
    if (lastRow === undefined) return;
    const last = keyOf(lastRow, spec.primaryKey, spec.table);
    yield { after, last };
    if (rows.length < opts.pageSize) return;
    after = last;
  }
}

/**
 * The rows of one {@link KeyRange} with their children, in key order: what `readSourcePages`
 * yields for that page. Rows inserted into the range since it was read are included, rows deleted
 * are not: the range, not the list of keys, is what the page covers.
 */
export async function readKeyRange(db: SourceDb, spec: SourceSpec, range: KeyRange, signal?: AbortSignal): Promise<SourceRow[]> {
  const pk = columnRef(spec.primaryKey);
  const bounds = [...(range.after === null ? [] : [sql`${pk} > ${range.after}`]), sql`${pk} <= ${range.last}`];
  return attachChildren(db, spec, await readParentRows(db, spec, bounds, { signal }), signal);
}
