import type { StateSql } from '../checkpoint/state-sql.js';
import { readPlan } from './chunk-plan.js';
import { readChunkCounts } from './chunk-queue.js';
import type { ChunkCounts } from './chunk-queue.js';
import { liveWorkers } from './worker-registry.js';
import type { WorkerRow } from './worker-registry.js';

/** A scaled-out job as `status` shows it: chunks, live workers, rate and ETA. */
export interface JobOverview {
  chunks: ChunkCounts & { planned: number; rowsPlanned: number };
  workers: WorkerRow[];
  requestsPerMinute: number;
  usersPerMinute: number;
  /** Seconds until the planned rows are all settled at the workers' current rate; null when nobody is sending. */
  etaSeconds: number | null;
}

/**
 * Reads the overview from the job's schema (its search path) and pg-boss's. `settledUsers` is the
 * ledger's size: the planned rows not in it yet are what remains.
 */
export async function readJobOverview(sql: StateSql, job: string, options: { settledUsers: number; queueSchema: string }): Promise<JobOverview> {
  const plan = await readPlan(sql, job);
  // StateSql numbers `?` placeholders; this query already has its `$1`.
  const states = await readChunkCounts(async (text, values) => ({ rows: await sql.all(text, ...values) }), job, options.queueSchema);
  const workers = await liveWorkers(sql);
  const rowsPlanned = plan.reduce((sum, chunk) => sum + chunk.rows, 0);
  const usersPerMinute = workers.reduce((sum, worker) => sum + worker.usersLastMinute, 0);
  const remaining = Math.max(0, rowsPlanned - options.settledUsers);
  return {
    chunks: { planned: plan.length, rowsPlanned, ...states },
    workers,
    requestsPerMinute: workers.reduce((sum, worker) => sum + worker.requestsLastMinute, 0),
    usersPerMinute,
    etaSeconds: remaining === 0 ? 0 : usersPerMinute > 0 ? Math.round((remaining / usersPerMinute) * 60) : null,
  };
}
