import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckpointStore, JOB_SCOPE, fingerprintDifferences, openPostgresBackend, stateSchemaName } from '../checkpoint/index.js';
import type { Fingerprint, JobRecord, StateBackend } from '../checkpoint/index.js';
import { CheckpointError, ConfigError, LoadError, coerceError } from '../errors.js';
import { countSourceRows, databaseNow, formatChangeCursor } from '../extract/index.js';
import { checkpointJournal } from '../pipeline/checkpoint-journal.js';
import type { JobConfig } from '../pipeline/job-config.js';
import type { JobState } from '../pipeline/job-state.js';
import { adoptFingerprint } from '../pipeline/job-state.js';
import type { Journal } from '../pipeline/journal.js';
import { runChunkPasses, runPasses } from '../pipeline/run-passes.js';
import type { PassesDeps, PassesOptions } from '../pipeline/run-passes.js';
import { accountedFor, combineSummaries, emptyCounts } from '../pipeline/run-summary.js';
import type { RunSummary } from '../pipeline/run-summary.js';
import { chunkScope, readPlan, savePlan } from './chunk-plan.js';
import type { PlannedChunk } from './chunk-plan.js';
import { openChunkQueue } from './chunk-queue.js';
import type { ChunkJob, ChunkQueue } from './chunk-queue.js';
import { openEnvironmentBudget } from './environment-budget.js';
import type { EnvironmentBudget } from './environment-budget.js';
import { planChunks } from './plan-chunks.js';
import { withRunLock } from './run-lock.js';
import { openStatePool } from './state-pool.js';
import type { StatePool } from './state-pool.js';
import { takeoverTimings } from './takeover-timings.js';
import { registerWorker } from './worker-registry.js';
import type { WorkerRegistration } from './worker-registry.js';

type SharedConfig = JobConfig & { stateUrl: string };

interface Context {
  role: 'run' | 'worker';
  warn: (message: string) => void;
  /** The loader's clock: a scaled one (bench, tests) shrinks the environment budget's minute with it. */
  clock?: { now: () => number; factor?: number };
  signal?: AbortSignal;
}

/** How long a worker waits between looks at a job that is not planned yet, or whose chunks others hold. */
const IDLE_POLL_MS = 2_000;

/**
 * The job in a shared PostgreSQL (`--state-url`), worked by any number of processes on any number
 * of machines. Scope 1 of the checkpoint is the whole job: its fingerprint, phase, incremental
 * start and, once incremental, its cursor. The full pass is cut into chunks of about
 * `rowsPerChunk` rows (planned once, by `run`, and kept in the `chunks` table); each chunk is a
 * job in the queue (pg-boss, see chunk-queue.ts) and a scope of its own in the checkpoint, so a
 * worker that takes a dead worker's chunk over resumes it from its cursor and replays what the
 * dead one left in doubt, exactly as a restarted single run does. The ledger is one for all.
 *
 * Once every chunk is done, the job enters its incremental phase (when the mapping has a change
 * cursor) and the users still in doubt in any chunk move to scope 1; incremental runs then run in
 * one process (`run`), under the job's run lock, like the embedded checkpoint's.
 */
export async function openSharedJobState(config: SharedConfig, fingerprint: Fingerprint, context: Context): Promise<JobState> {
  const schema = stateSchemaName(config.job);
  // Whose per-IP window the limiter restores: this address, or (none given) this machine's.
  const client = config.localAddress ?? hostname();
  // A worker may start first: it creates the (empty) schema as `run` would, then waits for the job in it.
  const backend = await openPostgresBackend(config.stateUrl, config.job, { create: true, client, maxConnections: 3 });
  const closers: Array<() => Promise<void>> = [() => backend.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const whole = await CheckpointStore.over(backend, { scope: JOB_SCOPE, ownsBackend: false });
    const pool = openStatePool(config.stateUrl, { applicationName: `dynamic-migrate ${context.role}`, max: 5 });
    closers.push(() => pool.close());
    if (context.role === 'run') {
      // Two first runs at once would both insert the job row: the run lock makes one of them second.
      await withRunLock(pool, config.job, { wait: true }, () =>
        adoptFingerprint(whole, config.job, fingerprint, { allowMappingChange: config.allowMappingChange, warn: context.warn }));
    } else {
      const saved = await waitForJob(whole, config.job, context);
      checkWorkerFingerprint(saved.fingerprint, config.job, fingerprint, context.warn);
    }
    const warnings = throttledWarnings(context.warn);
    const queue = await openChunkQueue(pool.pool, { takeoverAfterMs: config.takeoverAfterSeconds * 1000, onError: (error) => warnings(error.message) });
    closers.push(() => queue.close());
    const budget = config.environmentRateLimitPerMinute > 0 && config.environmentId
      ? await openEnvironmentBudget(pool.pool, {
        perMinute: config.environmentRateLimitPerMinute,
        key: config.environmentId,
        ...scaledBudgetSpan(context.clock?.factor),
        onError: (error) => warnings(error.message),
      })
      : undefined;
    if (budget) closers.push(() => budget.close());
    const registration = await registerWorker(backend.sql, { address: config.localAddress });
    closers.push(() => registration.stop());
    return sharedState({ config, schema, backend, whole, pool, queue, budget, registration, context });
  } catch (error) {
    await closeAll();
    throw error;
  }

  function sharedState(parts: SharedParts): JobState {
    const journal = checkpointJournal(parts.whole);
    const reported = new Map<number, Journal>([[JOB_SCOPE, journal]]);
    return {
      journal,
      ...(parts.budget ? { sharedBudget: parts.budget } : {}),
      meter: { request: () => parts.registration.requests.add(), settled: (users) => parts.registration.users.add(users) },
      requestTimeoutMs: requestTimeoutFor(parts.config.takeoverAfterSeconds),
      drive: (deps, options) => drive(parts, { ...deps, journal }, options, reported),
      reportedJournals: () => [...reported.values()],
      close: closeAll,
    };
  }
}

interface SharedParts {
  config: SharedConfig;
  schema: string;
  backend: StateBackend;
  whole: CheckpointStore;
  pool: StatePool;
  queue: ChunkQueue;
  budget: EnvironmentBudget | undefined;
  registration: WorkerRegistration;
  context: Context;
}

async function drive(parts: SharedParts, deps: PassesDeps, options: PassesOptions, reported: Map<number, Journal>): Promise<RunSummary> {
  const { config, whole, context } = parts;
  const job = await whole.job();
  if (job?.phase === 'incremental') {
    if (context.role === 'worker') {
      context.warn(`job "${config.job}" has finished its full pass: its incremental runs are run by "dynamic-migrate run", in one process; this worker has nothing to do`);
      return emptySummary(config.job);
    }
    // One incremental run at a time, in scope 1, as the embedded checkpoint's runs are.
    return withRunLock(parts.pool, parts.config.job, { wait: false }, () => runPasses(deps, options));
  }
  if (context.role === 'run') await withRunLock(parts.pool, parts.config.job, { wait: true }, () => planFullPass(parts, deps, options));
  const summary = await workChunks(parts, deps, options, reported);
  if (!summary.interrupted && summary.fatalError === undefined) {
    await withRunLock(parts.pool, parts.config.job, { wait: true }, () => finishFullPass(parts, deps));
  }
  return summary;
}

/**
 * Plans the full pass once (the incremental start recorded first, before anything is read, as a
 * single run does) and queues its chunks; queueing again is a no-op for chunks that exist and
 * gives failed ones another round.
 */
async function planFullPass(parts: SharedParts, deps: PassesDeps, options: PassesOptions): Promise<void> {
  const { config, backend, whole, queue } = parts;
  await whole.recordIncrementalSince(await databaseNow(deps.source, options.lagSeconds));
  let plan = await readPlan(backend.sql, config.job);
  if (plan.length === 0) {
    const chunks = await planChunks(deps.source, deps.spec, { job: config.job, rowsPerChunk: config.rowsPerChunk, ...(deps.signal ? { signal: deps.signal } : {}) });
    const total = await countSourceRows(deps.source, deps.spec, { after: null }, deps.signal);
    const rowsOf = (index: number) => (index < chunks.length - 1 ? config.rowsPerChunk : Math.max(0, total - config.rowsPerChunk * (chunks.length - 1)));
    plan = await savePlan(backend.sql, config.job, chunks.map((chunk, index): PlannedChunk => ({ ...chunk, rows: rowsOf(index) })));
    parts.context.warn(`planned job "${config.job}": ${plan.length} chunk(s) of up to ${config.rowsPerChunk} rows (${total} rows in all); workers may join with "dynamic-migrate worker"`);
  }
  await queue.enqueue(plan.map(({ rows: _rows, ...chunk }) => chunk));
}

/**
 * Claims and runs chunks until every chunk of the plan is done, this process is interrupted, or a
 * chunk failed for good. A chunk whose run did not end with every user's fate known (a fatal
 * error, users left in doubt) is handed back, to be replayed by whichever worker claims it next.
 */
async function workChunks(parts: SharedParts, deps: PassesDeps, options: PassesOptions, reported: Map<number, Journal>): Promise<RunSummary> {
  const { config, backend, whole, queue, registration, context } = parts;
  const startedAt = Date.now();
  let summary = emptySummary(config.job);
  // An answer no chunk can get past (401/403) stops this worker, not just the chunk.
  const stopWorker = new AbortController();
  const stop = deps.signal ? AbortSignal.any([deps.signal, stopWorker.signal]) : stopWorker.signal;
  const fingerprint = (await whole.job())?.fingerprint;
  if (!fingerprint) throw new CheckpointError(`job "${config.job}" has no job row in the state database`, { code: 'checkpoint_no_job' });

  const runChunk = async (chunk: ChunkJob, signal: AbortSignal, claim: { confirm(): Promise<boolean> }) => {
    const scope = chunkScope(chunk.chunk);
    const store = await CheckpointStore.over(backend, { scope, ownsBackend: false });
    if (!(await store.job())) await store.startJob(config.job, fingerprint, { cursor: chunk.after });
    const journal = fencedJournal(checkpointJournal(store), claim, `chunk ${chunk.chunk} of job "${config.job}"`);
    reported.set(scope, journal);
    registration.working(chunk.chunk);
    try {
      const result = await runChunkPasses({ ...deps, journal, signal: AbortSignal.any([stop, signal]) }, { ...options, last: chunk.last });
      const settledEveryone = !result.interrupted && result.fatalError === undefined && result.inDoubt === 0;
      // `interrupted` is also true for an attempt a fatal error ended (a write the state database's
      // restart failed) or whose lease was lost: that chunk goes back to the queue and this process
      // goes on, so only this process's own stop (a signal) stays in its summary.
      summary = combineSummaries(summary, settledEveryone || stop.aborted ? result : withoutReplayed(result));
      if (result.fatalError !== undefined && result.fatalAuth) stopWorker.abort(new LoadError(result.fatalError, { code: 'unauthorized' }));
      if (!settledEveryone) {
        const why = result.fatalError ?? (result.interrupted ? 'interrupted' : `${result.inDoubt} user(s) left in doubt`);
        throw new CheckpointError(`chunk ${chunk.chunk} of job "${config.job}" stopped before every user's fate was known (${why}): it goes back to the queue`, { code: 'chunk_unfinished' });
      }
    } finally {
      registration.working(null);
    }
  };

  // The state database may be restarting: a look that fails is a look to take again.
  const planSize = () => readPlan(backend.sql, config.job).then((plan) => plan.length, (error: unknown) => {
    context.warn(coerceError(error).message);
    return undefined;
  });
  const idle = () => sleep(IDLE_POLL_MS, undefined, { signal: stop }).catch(() => undefined);
  while (!stop.aborted) {
    const planned = await planSize();
    if (!planned) {
      await idle(); // not planned yet (a worker started before run), or unreachable
      continue;
    }
    await queue.work(config.job, runChunk, { signal: stop });
    if (stop.aborted) break;
    const counts = await queue.counts(config.job).catch((error: unknown) => void context.warn(coerceError(error).message));
    if (counts && counts.done >= planned) break;
    if (counts && counts.failed > 0 && counts.queued === 0 && counts.running === 0) {
      summary = { ...summary, fatalError: `${counts.failed} chunk(s) of job "${config.job}" failed after every retry (see the warnings): rerun "dynamic-migrate run" to queue them again` };
      break;
    }
    await idle();
  }
  const authStop = stopWorker.signal.aborted ? coerceError(stopWorker.signal.reason).message : undefined;
  return {
    ...summary,
    ...(authStop !== undefined && summary.fatalError === undefined ? { fatalError: authStop } : {}),
    interrupted: summary.interrupted || deps.signal?.aborted === true,
    durationMs: Date.now() - startedAt,
    phase: 'full',
  };
}

/**
 * A chunk's journal whose `markSent` (the durable mark right before a request leaves) first renews
 * the claim: a request only goes out with a whole lease ahead of it, and every request is answered
 * or timed out within a quarter of a lease (see `requestTimeoutFor`), so the worker that takes a
 * chunk over never replays a batch whose request could still land. A worker that lost the claim
 * (frozen, cut off from the state database) sends nothing more: its batch stays planned, in doubt
 * for the taker.
 */
function fencedJournal(journal: Journal, claim: { confirm(): Promise<boolean> }, what: string): Journal {
  return {
    ...journal,
    async markSent(seq) {
      if (!(await claim.confirm())) {
        throw new CheckpointError(`${what} is no longer this worker's: its next batch is not sent (the worker that took the chunk over replays it)`, { code: 'chunk_lost' });
      }
      await journal.markSent(seq);
    },
  };
}

/** Ends the full pass once every chunk is done: the leftovers in doubt move to scope 1, and the job turns incremental. */
async function finishFullPass(parts: SharedParts, deps: PassesDeps): Promise<void> {
  const { config, backend, whole, queue } = parts;
  const plan = await readPlan(backend.sql, config.job);
  const counts = await queue.counts(config.job);
  if (plan.length === 0 || counts.done < plan.length) return;
  const job = await whole.job();
  if (job?.phase !== 'full') return;
  // Users a chunk left in doubt but no longer selected by the source: the whole job's next runs replay them.
  await backend.sql.run('update in_doubt set scope = ? where scope <> ?', JOB_SCOPE, JOB_SCOPE);
  if (deps.spec.changeCursor && job.incrementalSince) {
    await whole.enterIncremental(formatChangeCursor({ at: job.incrementalSince, key: '' }));
  }
}

/** A worker may start before `run` has created the job: it waits for it. */
async function waitForJob(whole: CheckpointStore, job: string, context: Context): Promise<JobRecord> {
  for (let told = false; ; told = true) {
    const found = await whole.job();
    if (found) return found;
    if (context.signal?.aborted) throw new CheckpointError(`job "${job}" was never started in the state database`, { code: 'checkpoint_no_job', exitCode: 130 });
    if (!told) context.warn(`waiting for job "${job}" to be started by "dynamic-migrate run --state-url ..."`);
    await sleep(IDLE_POLL_MS, undefined, context.signal ? { signal: context.signal } : {}).catch(() => undefined);
  }
}

/**
 * A worker must run the job's own mapping against its environment: a different mapping would send
 * other payloads under the same ledger. The source may be named differently from another machine
 * (a host alias), so a different source description is only a warning.
 */
function checkWorkerFingerprint(saved: Fingerprint, job: string, fingerprint: Fingerprint, warn: (message: string) => void): void {
  const differences = fingerprintDifferences({ ...saved, source: '' }, { ...fingerprint, source: '' });
  if (differences.length > 0) {
    throw new ConfigError(`this worker's setup differs from job "${job}"'s (${differences.join('; ')}): give every worker the job's mapping and environment`);
  }
  if (saved.source !== fingerprint.source) {
    warn(`this worker names the source "${fingerprint.source}", the job "${saved.source}": make sure it is the same database`);
  }
}

/** The same warning once per half minute at most: a state database that is down says so often. */
function throttledWarnings(warn: (message: string) => void): (message: string) => void {
  const last = new Map<string, number>();
  return (message) => {
    const now = Date.now();
    if (now - (last.get(message) ?? 0) < 30_000) return;
    last.set(message, now);
    warn(message);
  };
}

/**
 * The most a request may take in a scaled-out job: a quarter lease less a margin, since a worker
 * that stops renewing its claim is stopped a quarter lease before the claim can pass to another
 * (chunk-lease.ts), and the request it had on the wire must be over by then. 18.5 s with the
 * default two-minute takeover; never more than the loader's usual 60 s, never under 5 s (a
 * takeover of under about 80 s then leaves its last requests less margin).
 */
function requestTimeoutFor(takeoverAfterSeconds: number): number {
  const { leaseSeconds } = takeoverTimings(takeoverAfterSeconds * 1000);
  return Math.min(60_000, Math.max(5_000, (leaseSeconds * 1000) / 4 - 2_000));
}

/** A scaled clock shrinks the budget's minute and windows with it (bench and tests only). */
function scaledBudgetSpan(factor: number | undefined): { spanMs?: number; windowMs?: number } {
  if (!factor || factor === 1) return {};
  return { spanMs: 60_000 / factor, windowMs: Math.max(20, 1000 / factor) };
}

/**
 * An attempt at a chunk that goes back to the queue: what it did not settle (users left in doubt,
 * a batch whose settling failed, rows never sent) is read again by the next attempt and counted
 * there, so here it counts only what it settled, which then adds up by definition.
 */
function withoutReplayed(result: RunSummary): RunSummary {
  const { fatalError: _fatal, fatalAuth: _auth, ...rest } = result;
  const settled = { ...rest, inDoubt: 0 };
  return { ...settled, extracted: accountedFor(settled), addsUp: true, interrupted: false };
}

function emptySummary(job: string): RunSummary {
  return { ...emptyCounts(), job, dryRun: false, interrupted: false, durationMs: 0, addsUp: true, warnings: {} };
}
