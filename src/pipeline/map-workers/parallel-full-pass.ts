import { readKeyRanges } from '../../extract/index.js';
import type { KeyRange, SourceDb, SourceSpec } from '../../extract/index.js';
import type { MigrationPass, PassRow } from '../run-migration.js';
import { startMapWorkers } from './map-worker-pool.js';
import type { MapWorker } from './map-worker-pool.js';
import type { MappedRow, MapWorkerData } from './worker-messages.js';

/** Pages handed out per worker ahead of the one being consumed: enough to keep each busy, few enough to bound memory. */
const PAGES_AHEAD_PER_WORKER = 2;

export interface ParallelPassOptions extends Omit<MapWorkerData, 'sourceSpec'> {
  workers: number;
}

/**
 * The full pass with reading and mapping spread over worker threads, for large tables: this thread
 * walks the primary key reading keys only, hands each page's key range to the least busy worker
 * (which reads the rows and their children on its own connection and maps them), and hands the
 * results on in key order, so batches, the journal and the cursor behave exactly as in
 * {@link fullPass}. At most `workers * 2` pages are in flight.
 */
export function parallelFullPass(source: SourceDb, spec: SourceSpec, parallel: ParallelPassOptions, opts: { after: string | null; pageSize: number }): MigrationPass {
  return { name: 'full', pages: mapInWorkers(source, spec, parallel, opts) };
}

async function* mapInWorkers(source: SourceDb, spec: SourceSpec, parallel: ParallelPassOptions, opts: { after: string | null; pageSize: number }): AsyncGenerator<PassRow[]> {
  const { workers: count, ...data } = parallel;
  const workers = await startMapWorkers(count, { ...data, sourceSpec: spec });
  const ranges = readKeyRanges(source, spec, { after: opts.after, pageSize: opts.pageSize })[Symbol.asyncIterator]();
  const inOrder: Array<Promise<MappedRow[]>> = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inOrder.length < workers.length * PAGES_AHEAD_PER_WORKER) {
        const next = await ranges.next();
        if (next.done) exhausted = true;
        else inOrder.push(handOut(workers, next.value));
      }
      const page = inOrder.shift();
      if (!page) return;
      const rows = await page;
      yield rows.map(({ key, result }) => ({ key, position: key, map: () => result }));
    }
  } finally {
    await ranges.return?.(undefined);
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

function handOut(workers: MapWorker[], range: KeyRange): Promise<MappedRow[]> {
  const worker = workers.reduce((least, candidate) => (candidate.load < least.load ? candidate : least));
  const rows = worker.map(range);
  rows.catch(() => {}); // awaited in order; one failing ahead of its turn must not be an unhandled rejection
  return rows;
}
