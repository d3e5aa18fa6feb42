import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { CheckpointError, ConfigError, coerceError } from '../errors.js';
import { redactSecrets } from '../extract/describe-source.js';
import { scrubText } from '../shared/scrub-text.js';
import { holdChunkLease } from './chunk-lease.js';
import { transactionSafeDb } from './pg-boss-db.js';
import { openStatePool, toStateError } from './state-pool.js';
import { takeoverTimings } from './takeover-timings.js';

/** One chunk of a full pass: the source rows with `after < primary key <= last`; `null` is an open end. */
export interface ChunkJob {
  job: string;
  /** 1, 2, ... in key order; with `job`, the chunk's dedup key. */
  chunk: number;
  after: string | null;
  last: string | null;
}

/** Where a job's chunks are, across every worker. */
export interface ChunkCounts {
  /** Waiting for a worker, including chunks handed back for a retry. */
  queued: number;
  /** Claimed by a worker (which may have died: its chunk stays here until pg-boss's maintenance expires the lease). */
  running: number;
  done: number;
  /** Gave up after `retryLimit` failed attempts; enqueueing the chunk again queues it again. */
  failed: number;
}

/** What one {@link ChunkQueue.work} call did. */
export interface WorkResult {
  /** Chunks whose handler returned, marked done. */
  completed: number;
  /** Chunks whose handler threw, handed back for a retry (or failed, after `retryLimit`). */
  errored: number;
  /** Chunks interrupted by the work signal or `close()`, handed back at once. */
  handedBack: number;
  /** Chunks this worker lost to another one (its lease ran out): left alone, never settled here. */
  lost: number;
}

/**
 * Runs one chunk; must stop soon after `signal` aborts: when the lease lapses, within a quarter of
 * it, after which another worker may claim the chunk. Throwing hands the chunk back for a retry.
 * `claim.confirm()` renews the claim and says whether it is still this worker's: asked right
 * before each request, it lets a request leave only with a whole lease ahead of it.
 */
export type ChunkHandler = (chunk: ChunkJob, signal: AbortSignal, claim: { confirm(): Promise<boolean> }) => Promise<void>;

/** The work queue of the full pass's chunks, shared by every worker through the state database. */
export interface ChunkQueue {
  /**
   * Queues chunks, idempotently: a chunk that exists (queued, running or done) is left as it is,
   * even if its range differs; a failed one is queued again.
   */
  enqueue(chunks: readonly ChunkJob[]): Promise<void>;
  /**
   * Claims and runs `job`'s chunks, `concurrency` at a time, until none is queued or running on
   * any worker (a running chunk may still come back for a takeover, so that is waited for), or
   * `signal` aborts (running handlers see it; their chunks are handed back). Never throws for a
   * chunk's failure or an unreachable database: it keeps polling, and reports through `onError`.
   */
  work(job: string, handler: ChunkHandler, options?: { concurrency?: number; signal?: AbortSignal }): Promise<WorkResult>;
  counts(job: string): Promise<ChunkCounts>;
  /** Interrupts running `work` calls (their chunks are handed back), stops pg-boss, ends an owned pool. */
  close(): Promise<void>;
}

/** Options of {@link openChunkQueue}. */
export interface ChunkQueueOptions {
  /**
   * Most time from a worker's death (SIGKILL, a lost machine) until its chunk can be claimed by
   * another worker. Sets the lease of the chunks this process enqueues, and this process's
   * maintenance and polling intervals: give every process the same value. See takeover-timings.ts.
   * @default 120_000
   */
  takeoverAfterMs?: number;
  /**
   * Retries of a chunk (attempts after its first) before it counts as failed; a takeover counts as one.
   * @default 10
   */
  retryLimit?: number;
  /**
   * How long a worker keeps a chunk whose handler threw before handing it back, so a chunk that
   * fails at once does not spin through the workers.
   * @default 5_000
   */
  retryDelayMs?: number;
  /**
   * How long pg-boss keeps a job's chunks, done ones included (which is what makes a repeated
   * `enqueue` a no-op), and queued ones (which pg-boss would otherwise drop after 14 days).
   * @default 30
   */
  keepDays?: number;
  /**
   * Schema of the state database that pg-boss creates and migrates for its tables.
   * @default 'dynamic_migrate_queue'
   */
  schema?: string;
  /** Errors that do not stop the queue (a database restart, a failed heartbeat), already redacted. */
  onError?: (error: Error) => void;
}

const chunkJobSchema = z.strictObject({
  job: z.string().min(1),
  chunk: z.number().int().positive(),
  after: z.string().nullable(),
  last: z.string().nullable(),
});

/** The schema of the state database where pg-boss keeps its tables, unless told otherwise. */
export const QUEUE_SCHEMA = 'dynamic_migrate_queue';

/** pg-boss queue of one job's chunks. */
export const queueName = (job: string): string => `chunks:${job}`;

/**
 * A job's chunks by state, read from pg-boss's job table in `schema` (`status` reads them this way
 * too, without starting pg-boss); all zero before the queue schema exists.
 */
export async function readChunkCounts(query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>, job: string, schema: string): Promise<ChunkCounts> {
  let rows: Array<{ state: string; count: number }>;
  try {
    rows = (await query(`select state::text as state, count(*)::int as count from ${schema}.job where name = $1 group by state`, [queueName(job)])).rows as typeof rows;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '42P01' && code !== '3F000') throw error; // no such table or schema: no queue yet
    rows = [];
  }
  const of = (...states: string[]) => rows.filter((row) => states.includes(row.state)).reduce((sum, row) => sum + row.count, 0);
  return { queued: of('created', 'retry'), running: of('active'), done: of('completed'), failed: of('failed', 'cancelled') };
}

/** The dedup key `${job}:${chunk}` as the pg-boss job id, a UUID (version 8: custom, SHA-256 based). */
export function chunkId(job: string, chunk: number): string {
  const hex = createHash('sha256').update(`${job}:${chunk}`).digest('hex').split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const id = hex.join('');
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
}

/**
 * Opens the chunk queue on the state database (a URL or a pool), creating or migrating pg-boss's
 * schema there (idempotent, safe when several workers start at once).
 *
 * pg-boss 10 does the queueing: claiming with `SKIP LOCKED`, retries, expiry of a claim whose lease
 * ran out (its maintenance), archiving. Two things are ours. The dedup key is the job id (a UUID
 * derived from `${job}:${chunk}`), because pg-boss 10's `singletonKey` dedups nothing under the
 * standard policy (its unique indexes serve the other policies, and never cover done jobs), while
 * its primary key and `ON CONFLICT DO NOTHING` cover every state; the key is still stored, as a
 * label for a reader of the table. And the lease is renewed by a heartbeat that moves the claim's `started_on` forward (pg-boss
 * expires `started_on + expire_in < now()`) guarded by its attempt number: pg-boss 12 has
 * heartbeats of its own but needs Node 22, and without one a lease short enough for a two-minute
 * takeover would expire any chunk that runs longer than that. That one UPDATE is the only place
 * we touch pg-boss's tables besides reading counts; pg-boss is pinned to the version it was written
 * against.
 */
export async function openChunkQueue(state: string | pg.Pool, options: ChunkQueueOptions = {}): Promise<ChunkQueue> {
  const timings = takeoverTimings(options.takeoverAfterMs ?? 120_000);
  const retryLimit = options.retryLimit ?? 10;
  const retryDelayMs = options.retryDelayMs ?? 5_000;
  const keepDays = options.keepDays ?? 30;
  const schema = options.schema ?? QUEUE_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,49}$/.test(schema)) throw new ConfigError(`the queue schema must be a lower-case SQL name of at most 50 characters (got "${schema}")`);
  const onError = options.onError ?? (() => {});
  const statePool = openStatePool(state, { applicationName: 'dynamic-migrate queue', max: 6 });
  const stateError = (error: unknown, doing: string) => toStateError(error, doing, statePool);

  const boss = new PgBoss({
    db: transactionSafeDb(statePool.pool),
    schema,
    migrate: true,
    supervise: true,
    schedule: false,
    maintenanceIntervalSeconds: timings.maintenanceIntervalSeconds,
    archiveCompletedAfterSeconds: keepDays * 86_400,
    archiveFailedAfterSeconds: keepDays * 86_400,
  });
  boss.on('error', (error) => onError(stateError(error, 'pg-boss maintenance')));
  try {
    await boss.start();
  } catch (error) {
    await boss.stop({ graceful: false, close: false }).catch(() => {});
    await statePool.close();
    throw stateError(error, `creating or migrating the queue schema "${schema}"`);
  }

  const renewSql = `update ${schema}.job set started_on = now() where name = $1 and id = $2 and state = 'active' and retry_count = $3`;
  const closing = new AbortController();
  const loops = new Set<Promise<WorkResult>>();
  const ensured = new Set<string>();

  const ensureQueue = async (name: string) => {
    if (ensured.has(name)) return;
    // pg-boss 10's create_queue() deadlocks when two processes create the same queue at once (each
    // holds a lock the other's foreign key or row insert waits for); PostgreSQL fails one of them,
    // the other creates the queue, and the retry then finds it.
    for (let attempt = 1; ; attempt++) {
      try {
        if (await boss.getQueue(name)) break;
        // retryDelay 0: an expired claim is free at once; a handler's error waits `retryDelayMs` in its worker instead.
        await boss.createQueue(name, { name, policy: 'standard', retryLimit, retryDelay: 0, expireInSeconds: timings.leaseSeconds, retentionMinutes: keepDays * 1440 });
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== '40P01' || attempt === 5) throw error;
      }
    }
    ensured.add(name);
  };

  const counts = (job: string): Promise<ChunkCounts> =>
    readChunkCounts((text, values) => statePool.pool.query(text, values), job, schema).catch((error: unknown) => {
      throw stateError(error, `counting the chunks of job "${job}"`);
    });

  const enqueue = async (chunks: readonly ChunkJob[]) => {
    for (const chunk of chunks) {
      const parsed = chunkJobSchema.safeParse(chunk);
      if (!parsed.success) throw new ConfigError(`not a chunk: ${JSON.stringify(chunk)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    const byJob = new Map<string, ChunkJob[]>();
    for (const chunk of chunks) {
      const ofJob = byJob.get(chunk.job);
      if (ofJob) ofJob.push(chunk);
      else byJob.set(chunk.job, [chunk]);
    }
    for (const [job, ofJob] of byJob) {
      const name = queueName(job);
      try {
        await ensureQueue(name);
        for (let start = 0; start < ofJob.length; start += 500) {
          const slice = ofJob.slice(start, start + 500);
          const ids = slice.map((chunk) => chunkId(job, chunk.chunk));
          const data = (chunk: ChunkJob) => ({ job, chunk: chunk.chunk, after: chunk.after, last: chunk.last });
          await boss.insert(slice.map((chunk, index) => ({ id: ids[index], name, data: data(chunk), singletonKey: `${job}:${chunk.chunk}`, expireInSeconds: timings.leaseSeconds })));
          // Failed chunks (only those: pg-boss's retry() touches nothing else) get another round.
          await boss.retry(name, ids);
        }
      } catch (error) {
        throw stateError(error, `queueing the chunks of job "${job}"`);
      }
    }
  };

  const work = async (job: string, handler: ChunkHandler, workOptions: { concurrency?: number; signal?: AbortSignal } = {}): Promise<WorkResult> => {
    const name = queueName(job);
    const concurrency = workOptions.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`concurrency must be a positive integer (got ${concurrency})`);
    const stop = workOptions.signal ? AbortSignal.any([closing.signal, workOptions.signal]) : closing.signal;
    const result: WorkResult = { completed: 0, errored: 0, handedBack: 0, lost: 0 };
    const running = new Set<Promise<void>>();

    const runChunk = async (claim: PgBoss.JobWithMetadata<unknown>, claimedAt: number) => {
      const parsed = chunkJobSchema.safeParse(claim.data);
      if (!parsed.success) {
        await boss.fail(name, claim.id, { message: 'not a chunk of dynamic-migrate' }).catch(() => {});
        result.errored++;
        return;
      }
      const chunk = parsed.data;
      const what = `chunk ${chunk.chunk} of job "${job}"`;
      const lease = holdChunkLease({
        leaseMs: Number(claim.expireInSeconds) * 1000,
        claimedAt,
        renew: async () => (await statePool.pool.query(renewSql, [name, claim.id, claim.retryCount])).rowCount === 1,
        lostReason: () => new CheckpointError(`${what} was handed to another worker: this one stops it`, { code: 'chunk_lost' }),
        expiredReason: () => new CheckpointError(`${what}: its lease was not renewed in time, so another worker may hold it now: this one stops it`, { code: 'chunk_lost' }),
        onError: (error) => onError(stateError(error, `renewing the lease of ${what}`)),
      });
      const signal = AbortSignal.any([lease.signal, stop]);
      let failure: { error: unknown } | undefined;
      try {
        await handler(chunk, signal, { confirm: () => lease.confirm() });
      } catch (error) {
        failure = { error };
      }
      try {
        if (!failure) {
          // Settled only if pg-boss still had it active: a claim that expired since confirm() is another worker's to replay.
          if ((await lease.confirm()) && affected(await boss.complete(name, claim.id))) result.completed++;
          else result.lost++;
          return;
        }
        if (!stop.aborted) await sleep(retryDelayMs, undefined, { signal }).catch(() => {});
        if (!(await lease.confirm())) {
          result.lost++;
          return;
        }
        if (stop.aborted) {
          // Interrupted, not broken: back to `retry` at once (retry() revives it if that was its last attempt).
          if (!affected(await boss.fail(name, claim.id, { message: 'worker stopped' }))) {
            result.lost++;
            return;
          }
          await boss.retry(name, claim.id);
          result.handedBack++;
        } else {
          const message = scrubText(redactSecrets(coerceError(failure.error).message, statePool.secrets), { maxLength: 500 });
          if (affected(await boss.fail(name, claim.id, { message }))) result.errored++;
          else result.lost++;
        }
      } catch (error) {
        // The database went away while settling: the lease runs out and another worker replays the chunk.
        onError(stateError(error, `settling ${what}`));
        result.lost++;
      } finally {
        lease.end();
      }
    };

    const finished = async () => {
      try {
        const { queued, running: active } = await counts(job);
        return queued === 0 && active === 0;
      } catch (error) {
        onError(coerceError(error));
        return false;
      }
    };

    const loop = (async () => {
      while (!stop.aborted) {
        if (running.size < concurrency) {
          const claimedAt = performance.now();
          // pg-boss's fetch returns [] rather than throw when the database is unreachable; `finished` tells the two apart.
          const [claim] = await boss.fetch<unknown>(name, { batchSize: 1, includeMetadata: true });
          if (claim) {
            const run = runChunk(claim, claimedAt).finally(() => running.delete(run));
            running.add(run);
            continue;
          }
          if (running.size === 0 && (await finished())) break;
        }
        await pause(timings.pollingMs, stop, running);
      }
      await Promise.allSettled(running);
      return result;
    })();
    loops.add(loop);
    try {
      return await loop;
    } finally {
      loops.delete(loop);
    }
  };

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing.abort(new CheckpointError('the chunk queue is closing', { code: 'queue_closing' }));
      await Promise.allSettled(loops);
      await boss.stop({ graceful: false, close: false }).catch((error: unknown) => onError(stateError(error, 'stopping pg-boss')));
      await statePool.close();
    })());

  return { enqueue, work, counts, close };
}

/**
 * Rows a pg-boss 10 `complete` or `fail` changed: its typings say `void`, but it resolves with
 * `{ affected }` (pg-boss is pinned to the version this was read in).
 */
function affected(response: unknown): number {
  return (response as { affected?: number } | undefined)?.affected ?? 0;
}

/** Waits `ms`, or less if `signal` aborts or one of `running` settles first. */
function pause(ms: number, signal: AbortSignal, running: Iterable<Promise<unknown>>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    for (const run of running) run.then(done, done);
  });
}
