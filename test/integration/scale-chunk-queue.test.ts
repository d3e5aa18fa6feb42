import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { openChunkQueue, type ChunkJob, type ChunkQueue, type WorkResult } from '../../src/scale/chunk-queue.js';
import { takeoverTimings } from '../../src/scale/takeover-timings.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { waitUntil } from '../helpers/wait-until.js';

// The chunk queue on a real PostgreSQL: two workers in this process (two queues, two pools), and
// workers in child processes that are SIGKILLed or frozen while they hold a chunk.
/** A lease of 6 s (a 4.5 s deadline after each renewal): room for a loaded CI machine's stalls. */
const TAKEOVER_MS = 10_000;
const { pollingMs } = takeoverTimings(TAKEOVER_MS);
const CHILD = fileURLToPath(new URL('./scale-chunk-worker-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let database: TestDatabase;
let a: ChunkQueue;
let b: ChunkQueue;
const errors: Error[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // Both at once on a database without the schema yet: pg-boss creating it twice must not break either.
  const open = () => openChunkQueue(database.url, { takeoverAfterMs: TAKEOVER_MS, retryDelayMs: 0, onError: (error) => errors.push(error) });
  [a, b] = await Promise.all([open(), open()]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await database?.drop();
});

function chunksOf(job: string, count: number): ChunkJob[] {
  return Array.from({ length: count }, (_, index) => ({ job, chunk: index + 1, after: index === 0 ? null : String(index * 10), last: index === count - 1 ? null : String((index + 1) * 10) }));
}

/** A handler that records which chunks it ran (and when), taking a little time for each. */
function recorder(delayMs = 0) {
  const runs: { chunk: number; at: number }[] = [];
  const handler = async (chunk: ChunkJob) => {
    runs.push({ chunk: chunk.chunk, at: Date.now() });
    if (delayMs) await sleep(delayMs * (0.5 + Math.random()));
  };
  return { runs, handler, chunks: () => runs.map((run) => run.chunk) };
}

const sorted = (numbers: number[]) => [...numbers].sort((x, y) => x - y);
const range = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/** scale-chunk-worker-child.ts as a process, its stdout as lines one can wait for. */
function spawnWorker(job: string, mode: 'hang' | 'quick') {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, job, String(TAKEOVER_MS), mode], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_NO_WARNINGS: '1', STATE_URL: database.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const line = async (pattern: RegExp, timeoutMs = 60_000) => {
    await waitUntil(async () => lines.some((l) => pattern.test(l)), timeoutMs);
    return pattern.exec(lines.find((l) => pattern.test(l))!)!;
  };
  return { child, lines, line, exited };
}

/** Each chunk's lease as pg-boss holds it, and how many times it was claimed. */
async function claimsOf(job: string): Promise<{ chunk: number; leaseSeconds: number; attempts: number }[]> {
  const { rows } = await sql<{ chunk: number; leaseSeconds: number; attempts: number }>`
    select (data->>'chunk')::int as chunk, extract(epoch from expire_in)::int as "leaseSeconds", retry_count + 1 as attempts
    from dynamic_migrate_queue.job where name = ${`chunks:${job}`} order by 1`.execute(database.admin);
  return rows;
}

describe('openChunkQueue', () => {
  it('hands every chunk to exactly one of two workers, and enqueueing again changes nothing', async () => {
    const job = 'both';
    // The same plan queued by both workers at once, as two `run`s started together would.
    await Promise.all([a.enqueue(chunksOf(job, 30)), b.enqueue(chunksOf(job, 30))]);
    expect(await a.counts(job)).toEqual({ queued: 30, running: 0, done: 0, failed: 0 });

    const first = recorder(20);
    const second = recorder(20);
    const [resultA, resultB] = await Promise.all([a.work(job, first.handler, { concurrency: 3 }), b.work(job, second.handler, { concurrency: 3 })]);
    expect(sorted([...first.chunks(), ...second.chunks()])).toEqual(range(30));
    expect(resultA.completed + resultB.completed).toBe(30);
    expect(resultA.lost + resultB.lost + resultA.errored + resultB.errored).toBe(0);
    expect(await b.counts(job)).toEqual({ queued: 0, running: 0, done: 30, failed: 0 });

    await a.enqueue(chunksOf(job, 30));
    expect(await a.counts(job)).toEqual({ queued: 0, running: 0, done: 30, failed: 0 });
    const again = recorder();
    expect(await b.work(job, again.handler)).toEqual({ completed: 0, errored: 0, handedBack: 0, lost: 0 });
    expect(again.runs).toEqual([]);
  });

  it('keeps waiting while another worker runs a chunk, and returns once that chunk is done', async () => {
    const job = 'waits';
    await a.enqueue(chunksOf(job, 1));
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holder = a.work(job, async () => {
      events.push('a started');
      await gate;
      events.push('a finished');
    });
    await waitUntil(async () => events.includes('a started'), 30_000);

    // Nothing is queued now, but a chunk is running: returning would be wrong, it may come back.
    const waiter = b.work(job, async () => void events.push('b ran it')).then((result) => (events.push('b returned'), result));
    await sleep(pollingMs * 4);
    expect(events).toEqual(['a started']);

    release();
    const [held, waited] = await Promise.all([holder, waiter]);
    expect(events).toEqual(['a started', 'a finished', 'b returned']);
    expect(held.completed).toBe(1);
    expect(waited.completed).toBe(0);
  });

  it('keeps a chunk that runs for several leases with its live worker: heartbeats, not the lease, decide', async () => {
    const job = 'long';
    await a.enqueue(chunksOf(job, 1));
    const { leaseSeconds, maintenanceIntervalSeconds } = takeoverTimings(TAKEOVER_MS);
    let started = false;
    let signalled = false;
    const holding = a.work(job, async (_chunk, signal) => {
      started = true;
      // Three leases and two maintenance rounds past the first lease's end: without heartbeats
      // pg-boss would have expired the claim and handed the chunk to the other worker.
      await sleep((3 * leaseSeconds + 2 * maintenanceIntervalSeconds) * 1000);
      signalled = signal.aborted;
    });
    await waitUntil(async () => started, 30_000);
    const other = recorder();
    const [held, watched] = await Promise.all([holding, b.work(job, other.handler)]);
    expect(other.runs).toEqual([]);
    expect(signalled).toBe(false);
    expect(held).toEqual({ completed: 1, errored: 0, handedBack: 0, lost: 0 });
    expect(watched.completed).toBe(0);
  });

  it('retries a chunk whose handler throws, fails it after retryLimit more attempts, and queues it again on enqueue', async () => {
    const job = 'throws';
    const strict = await openChunkQueue(database.url, { takeoverAfterMs: TAKEOVER_MS, retryLimit: 1, retryDelayMs: 0 });
    try {
      await strict.enqueue(chunksOf(job, 1));
      let attempts = 0;
      const result = await strict.work(job, async () => {
        attempts++;
        throw new Error('cannot reach jane.doe@example.com');
      });
      expect(attempts).toBe(2);
      expect(result).toMatchObject({ completed: 0, errored: 2 });
      expect(await strict.counts(job)).toEqual({ queued: 0, running: 0, done: 0, failed: 1 });
      // What pg-boss keeps of the error is scrubbed like every other output.
      const { rows } = await sql<{ message: string }>`select output->>'message' as message from dynamic_migrate_queue.job where name = 'chunks:throws'`.execute(database.admin);
      expect(rows[0]?.message).toContain('j…m (20 chars)');
      expect(rows[0]?.message).not.toContain('jane.doe');

      await strict.enqueue(chunksOf(job, 1));
      expect(await strict.counts(job)).toMatchObject({ queued: 1, failed: 0 });
      expect(await strict.work(job, async () => {})).toMatchObject({ completed: 1 });
      expect(await strict.counts(job)).toEqual({ queued: 0, running: 0, done: 1, failed: 0 });
    } finally {
      await strict.close();
    }
  });

  it('hands its running chunk back at once when it closes, for another worker to take without waiting out the lease', async () => {
    const job = 'closes';
    const leaving = await openChunkQueue(database.url, { takeoverAfterMs: TAKEOVER_MS });
    await leaving.enqueue(chunksOf(job, 1));
    let started = false;
    let sawAbort = false;
    const working = leaving.work(job, async (_chunk, signal) => {
      started = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = true;
      throw signal.reason;
    });
    await waitUntil(async () => started, 30_000);
    await leaving.close();
    expect(sawAbort).toBe(true);
    expect(await working).toEqual({ completed: 0, errored: 0, handedBack: 1, lost: 0 });
    expect(await a.counts(job)).toEqual({ queued: 1, running: 0, done: 0, failed: 0 });
    expect(await a.work(job, async () => {})).toMatchObject({ completed: 1 });
  });

  it('gives the chunk of a SIGKILLed worker to another worker, after the takeover time’s lease', async () => {
    const job = 'killed';
    await a.enqueue(chunksOf(job, 4));
    // How soon is not measured (a loaded machine's clock says nothing): what bounds it is the lease
    // pg-boss holds each chunk to, the takeover time's, not its 15-minute default; the timings'
    // arithmetic has its unit test.
    const { leaseSeconds } = takeoverTimings(TAKEOVER_MS);
    expect((await claimsOf(job)).map((claim) => claim.leaseSeconds)).toEqual([leaseSeconds, leaseSeconds, leaseSeconds, leaseSeconds]);
    const worker = spawnWorker(job, 'hang');
    const [, held] = await worker.line(/^took (\d+)$/);
    const heldChunk = Number(held);

    const taker = recorder();
    const taking = b.work(job, taker.handler, { concurrency: 2 });
    await waitUntil(async () => taker.runs.length === 3, 30_000);
    expect(taker.chunks()).not.toContain(heldChunk);

    worker.child.kill('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');
    const result = await taking;

    expect(sorted(taker.chunks())).toEqual(range(4));
    expect(result).toMatchObject({ completed: 4, lost: 0 });
    expect(await a.counts(job)).toEqual({ queued: 0, running: 0, done: 4, failed: 0 });
    // The killed worker's chunk was claimed twice, every other chunk once.
    expect((await claimsOf(job)).map((claim) => claim.attempts)).toEqual(range(4).map((chunk) => (chunk === heldChunk ? 2 : 1)));
  });

  it('gives a frozen worker’s chunk to another worker, and aborts the frozen one’s handler when it wakes, which then settles nothing', async () => {
    const job = 'frozen';
    await a.enqueue(chunksOf(job, 2));
    const worker = spawnWorker(job, 'hang');
    const [, held] = await worker.line(/^took (\d+)$/);
    worker.child.kill('SIGSTOP');
    try {
      const taker = recorder();
      const result = await b.work(job, taker.handler);
      expect(sorted(taker.chunks())).toEqual([1, 2]);
      expect(result).toMatchObject({ completed: 2 });
    } finally {
      worker.child.kill('SIGCONT');
    }
    const [, aborted, code] = await worker.line(/^aborted (\d+) (\S+)$/);
    expect(Number(aborted)).toBe(Number(held));
    expect(code).toBe('chunk_lost');
    const [, json] = await worker.line(/^result (.*)$/);
    expect(JSON.parse(json!) as WorkResult).toEqual({ completed: 0, errored: 0, handedBack: 0, lost: 1 });
    expect((await worker.exited).code).toBe(0);
    // The woken worker neither completed nor failed the chunk the other one had finished.
    expect(await a.counts(job)).toEqual({ queued: 0, running: 0, done: 2, failed: 0 });
  });

  it('stops a worker at its next heartbeat once its chunk was taken over behind its back, though its own clock says the lease still runs', async () => {
    // A machine that was suspended: its monotonic clock did not see the lease run out, pg-boss's
    // did, and another worker claimed the chunk (a new attempt of the same job row, which is what
    // this UPDATE leaves behind). The claim is still active, so only the attempt number tells.
    const job = 'behind';
    await a.enqueue(chunksOf(job, 1));
    let reason: unknown;
    const working = a.work(job, async (_chunk, signal) => {
      if (reason !== undefined) return; // the phantom claim's lease ran out and the chunk came back
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      reason = signal.reason;
      throw signal.reason;
    });
    await waitUntil(async () => (await a.counts(job)).running === 1, 30_000);
    await sql`update dynamic_migrate_queue.job set retry_count = retry_count + 1, started_on = now() where name = ${`chunks:${job}`} and state = 'active'`.execute(database.admin);

    await waitUntil(async () => reason !== undefined, 30_000);
    expect((reason as CheckpointError).code).toBe('chunk_lost');
    expect((reason as Error).message).toMatch(/handed to another worker/);
    // The lost claim was neither completed nor failed; the other one, never settled by anyone,
    // ran out and came back, and this worker finished the chunk on its next claim.
    expect(await working).toEqual({ completed: 1, errored: 0, handedBack: 0, lost: 1 });
    expect(await a.counts(job)).toEqual({ queued: 0, running: 0, done: 1, failed: 0 });
  });

  it('finishes the job when the state database drops every connection and refuses new ones for a while', async () => {
    const job = 'outage';
    await a.enqueue(chunksOf(job, 30));
    const first = recorder(60);
    const second = recorder(60);
    const working = Promise.all([a.work(job, first.handler, { concurrency: 2 }), b.work(job, second.handler, { concurrency: 2 })]);
    await waitUntil(async () => first.runs.length + second.runs.length >= 8, 30_000);
    const errorsBefore = errors.length;

    const name = new URL(database.url).pathname.slice(1);
    const server = new pg.Client({ connectionString: inject('databaseUrl') });
    await server.connect();
    try {
      await server.query(`alter database ${name} allow_connections false`);
      await server.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [name]);
      await sleep(1_000);
      await server.query(`alter database ${name} allow_connections true`);
    } finally {
      await server.end();
    }

    const results = await working;
    const handled = [...first.chunks(), ...second.chunks()];
    expect([...new Set(handled)].sort((x, y) => x - y)).toEqual(range(30));
    // A chunk runs twice only when a worker lost it (its completion could not be confirmed).
    const lost = results.reduce((sum, result) => sum + result.lost, 0);
    expect(handled.length - 30).toBeLessThanOrEqual(lost);
    expect(await a.counts(job)).toEqual({ queued: 0, running: 0, done: 30, failed: 0 });
    // The outage was felt (and reported, naming the database), not slept through.
    expect(errors.length).toBeGreaterThan(errorsBefore);
    expect(errors.at(-1)?.message).toMatch(/\(state database \S+:\d+\/test_[0-9a-f]+\)/);
  });

  it('names the state database in its errors, never its password', async () => {
    const secret = 'Sup3r-Secret-Passw0rd';
    const error = await openChunkQueue(`postgres://migrator:${secret}@127.0.0.1:1/state`, { takeoverAfterMs: TAKEOVER_MS }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).message).toContain('127.0.0.1:1/state');
    const everything = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause) + (error as Error).stack;
    expect(everything).not.toContain(secret);
    for (const seen of errors) expect(seen.message).not.toContain('password');
  });
});
