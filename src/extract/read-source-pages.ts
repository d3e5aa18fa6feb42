import { sql, type RawBuilder } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SourceRow } from '../mapping/source-row.js';
import type { SourceSpec } from '../mapping/source-spec.js';
import { attachChildren } from './attach-children.js';
import type { SourceDb } from './connect-source.js';
import { readParentRows } from './read-parent-rows.js';
import { columnRef } from './source-sql.js';

type Row = Record<string, unknown>;

/** Options of {@link readSourcePages}. */
export interface ReadSourcePagesOptions {
  /** Resume strictly after this primary key (the checkpoint cursor); `null` starts at the beginning. */
  after: string | null;
  /** Stop after this primary key, inclusive (a chunk's upper end); absent or `null`: the table's end. */
  last?: string | null;
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
  let after = opts.after;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await readParentPage(db, spec, after, opts);
    if (rows.length === 0) return;
    const page = await attachChildren(db, spec, rows, opts.signal);
    yield page;
    if (rows.length < opts.pageSize) return;
    after = (page[page.length - 1] as SourceRow).key;
  }
}

async function readParentPage(db: SourceDb, spec: SourceSpec, after: string | null, opts: ReadSourcePagesOptions): Promise<Row[]> {
  const pk = columnRef(spec.primaryKey);
  return readParentRows(db, spec, keyRangeConditions(pk, after, opts.last ?? null), { limit: opts.pageSize, signal: opts.signal });
}

/** `after < pk <= last`, either end open when null: the rows of a chunk, or of the whole table. */
export function keyRangeConditions(pk: RawBuilder<unknown>, after: string | null, last: string | null): RawBuilder<unknown>[] {
  return [...(after === null ? [] : [sql`${pk} > ${after}`]), ...(last === null ? [] : [sql`${pk} <= ${last}`])];
}
