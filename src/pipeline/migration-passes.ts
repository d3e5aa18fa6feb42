import { formatChangeCursor, readAhead, readChangedChildParents, readChangedPages, readRowsByKeys, readSourcePages } from '../extract/index.js';
import type { ChangeCursor, SourceDb, SourceRow, SourceSpec } from '../extract/index.js';
import type { RowMapper } from '../mapping/index.js';
import type { MigrationPass, PassRow } from './run-migration.js';

// The ways a run finds the rows to process. Each is a `MigrationPass` for the one `runMigration`
// path; they differ only in what they read and in the position their batches journal (which is
// what the job's cursor becomes when they settle). These map rows in this thread, on demand (a
// row the ledger already settled is never mapped); `parallelFullPass` maps in worker threads.

/**
 * The first run's pass: every row in primary-key order after `after` (up to `last`, a chunk's
 * upper end, when given); positions are primary keys.
 */
export function fullPass(source: SourceDb, spec: SourceSpec, mapRow: RowMapper, opts: { after: string | null; last?: string | null; pageSize: number }): MigrationPass {
  return {
    name: 'full',
    pages: passRows(readAhead(readSourcePages(source, spec, { after: opts.after, last: opts.last ?? null, pageSize: opts.pageSize })), mapRow, (row) => row.key),
  };
}

/**
 * An incremental run's pass over rows changed in `(after, upper]`, in `(change column, key)` order;
 * positions are change cursors as JSON text, so the job's cursor resumes exactly after the last
 * settled row.
 */
export function changesPass(source: SourceDb, spec: SourceSpec, mapRow: RowMapper, opts: { after: ChangeCursor; upper: string; pageSize: number }): MigrationPass {
  return {
    name: 'changes',
    pages: passRows(readAhead(readChangedPages(source, spec, opts)), mapRow, (row) => formatChangeCursor({ at: row.cursor ?? opts.upper, key: row.key })),
  };
}

/**
 * The users with rows of `child` changed in `(since, upper]`, re-read by primary key. Positions
 * are primary keys; these batches never move the job's cursor (the child's watermark moves when
 * the whole pass has settled).
 */
export function childrenPass(source: SourceDb, spec: SourceSpec, mapRow: RowMapper, opts: { child: string; since: string; upper: string; pageSize: number }): MigrationPass {
  return {
    name: 'children',
    pages: passRows(readAhead(readChangedChildParents(source, spec, opts)), mapRow, (row) => row.key),
  };
}

/**
 * The users an earlier run left in doubt, re-read by primary key, replayed first in every run.
 * Positions are primary keys; these batches never move the job's cursor.
 */
export function inDoubtPass(
  source: SourceDb, spec: SourceSpec, mapRow: RowMapper,
  opts: { keys: readonly string[]; pageSize: number; onMissing?: (keys: string[]) => void },
): MigrationPass {
  const seen = new Set<string>();
  async function* pages(): AsyncGenerator<SourceRow[]> {
    for await (const page of readAhead(readRowsByKeys(source, spec, opts.keys, { pageSize: opts.pageSize }))) {
      for (const row of page) seen.add(row.key);
      yield page;
    }
    // Read to the end: the keys never yielded are no longer selected by the source.
    const missing = opts.keys.filter((key) => !seen.has(key));
    if (missing.length > 0) opts.onMissing?.(missing);
  }
  return { name: 'in_doubt', pages: passRows(pages(), mapRow, (row) => row.key) };
}

async function* passRows(pages: AsyncIterable<SourceRow[]>, mapRow: RowMapper, positionOf: (row: SourceRow) => string): AsyncGenerator<PassRow[]> {
  for await (const page of pages) {
    yield page.map((row) => new RowMappedOnDemand(row, positionOf(row), mapRow));
  }
}

/**
 * A class rather than an object literal with a `map` closure: tsx compiles with esbuild's
 * `keepNames`, which names every such closure with `Object.defineProperty` as it is made, for
 * every row (0.7% of a dry run's profile).
 */
class RowMappedOnDemand implements PassRow {
  readonly key: string;

  constructor(
    private readonly row: SourceRow,
    readonly position: string,
    private readonly mapRow: RowMapper,
  ) {
    this.key = row.key;
  }

  map() {
    return this.mapRow(this.row);
  }
}
