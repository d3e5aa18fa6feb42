import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { stateSchemaName } from '../../src/checkpoint/index.js';
import { QUEUE_SCHEMA, queueName } from '../../src/scale/chunk-queue.js';

// The state database as the tool leaves it, read straight from its tables: the plan, the chunks in
// pg-boss's queue (the schema the CLI keeps), and the workers' rows.

/** One chunk of a job as pg-boss holds it. */
export interface QueuedChunk {
  chunk: number;
  /** pg-boss's state: created, retry, active, completed, failed, ... */
  state: string;
  /** How many times it was claimed again after an earlier claim (a takeover, a retry). */
  retryCount: number;
  completedOn: Date | null;
}

/** A row of the job's `workers` table. */
export interface WorkerSeen {
  pid: number;
  address: string | null;
  /** The chunk it last said it works on; null between chunks. */
  chunk: number | null;
}

/** Runs `body` on a connection of its own to the state database (tests poll through restarts: each look connects anew). */
export async function withStateClient<T>(stateUrl: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: stateUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every chunk of `job` in the queue, chunk order (empty before the queue exists). */
export async function queuedChunks(stateUrl: string, job: string): Promise<QueuedChunk[]> {
  return withStateClient(stateUrl, async (client) => {
    const { rows } = await client.query<{ chunk: number; state: string; retry_count: number; completed_on: Date | null }>(
      `select (data->>'chunk')::int as chunk, state::text as state, retry_count, completed_on
         from ${QUEUE_SCHEMA}.job where name = $1 order by 1`,
      [queueName(job)],
    ).catch((error: { code?: string }) => {
      if (error.code === '42P01') return { rows: [] }; // no queue yet: pg-boss creates it when run queues the chunks
      throw error;
    });
    return rows.map((row) => ({ chunk: row.chunk, state: row.state, retryCount: row.retry_count, completedOn: row.completed_on }));
  });
}

/** The number of chunks `run` planned for `job` (0 before it did). */
export async function plannedChunks(stateUrl: string, job: string): Promise<number> {
  return withStateClient(stateUrl, async (client) => {
    const { rows } = await client.query<{ count: number }>(`select count(*)::int as count from ${stateSchemaName(job)}.chunks`);
    return rows[0]?.count ?? 0;
  });
}

/** What the worker process `pid` last wrote of itself in `job`'s workers table. */
export async function workerSeen(stateUrl: string, job: string, pid: number): Promise<WorkerSeen | undefined> {
  return withStateClient(stateUrl, async (client) => {
    const { rows } = await client.query<WorkerSeen>(`select pid, address, chunk from ${stateSchemaName(job)}.workers where pid = $1`, [pid]);
    return rows[0];
  });
}

/**
 * Resolves once `child` has written a stderr line matching `pattern` (e.g. a worker saying it waits
 * for the job); rejects if it exits first.
 */
export function stderrLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => pattern.test(candidate));
      if (line === undefined) return;
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      resolve(line);
    };
    const onExit = (code: number | null) => reject(new Error(`exited (${code}) before writing ${pattern}: ${text}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
