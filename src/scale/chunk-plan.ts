import type { StateSql } from '../checkpoint/state-sql.js';
import type { ChunkJob } from './chunk-queue.js';

/** A chunk as the plan keeps it: its key range and how many rows it had when planned. */
export interface PlannedChunk extends ChunkJob {
  rows: number;
}

/**
 * The checkpoint scope of chunk `n`: the job row that holds its cursor chain, its batches and its
 * in-doubt keys. Scope 1 is the whole job (its fingerprint, phase and incremental cursor).
 */
export const chunkScope = (chunk: number): number => 1 + chunk;

/** The full pass's plan, chunk order; empty before `run` planned it. */
export async function readPlan(sql: StateSql, job: string): Promise<PlannedChunk[]> {
  const rows = await sql.all<{ chunk: number; after_key: string | null; last_key: string | null; rows: string }>(
    'select chunk, after_key, last_key, rows from chunks order by chunk',
  );
  return rows.map((row) => ({ job, chunk: row.chunk, after: row.after_key, last: row.last_key, rows: Number(row.rows) }));
}

/**
 * Saves the plan in one transaction, once: a plan, once saved, is never replaced (its chunks'
 * scopes hold cursors inside its ranges). @returns the plan in force (the one saved first).
 */
export async function savePlan(sql: StateSql, job: string, chunks: readonly PlannedChunk[]): Promise<PlannedChunk[]> {
  await sql.transaction(async (tx) => {
    if (await tx.get('select 1 as planned from chunks limit 1')) return;
    for (const chunk of chunks) {
      await tx.run('insert into chunks (chunk, after_key, last_key, rows) values (?, ?, ?, ?)', chunk.chunk, chunk.after, chunk.last, chunk.rows);
    }
  });
  return readPlan(sql, job);
}
