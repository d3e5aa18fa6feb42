import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { apiOrigin, type Fingerprint } from '../checkpoint/index.js';
import { compileRunMapper } from '../duplicates/index.js';
import { ConfigError } from '../errors.js';
import { connectSource, describeSource, withReadColumns } from '../extract/index.js';
import { RateLimiter, boundFetch, createBulkClient, describeLimitChange } from '../load/index.js';
import type { LoaderWait, SharedBudget, Sleep } from '../load/index.js';
import { columnsToRead, loadMappingFile } from '../mapping/index.js';
import type { MappingSpec } from '../mapping/index.js';
import { dryRunBatchSender, httpBatchSender } from './batch-sender.js';
import type { BatchSender } from './batch-sender.js';
import { dryRunState, fileJobState } from './job-state.js';
import type { JobState } from './job-state.js';
import type { Journal } from './journal.js';
import type { PassesDeps, RunStart } from './run-passes.js';
import type { RunCounts, RunSummary } from './run-summary.js';
import { createRunReport, reportDuplicates } from '../report/index.js';
import type { ReportTarget } from '../report/index.js';
import { createTargetComparison } from '../compare/index.js';
import type { TargetComparison } from '../compare/index.js';
import { newRunId, openRunReports } from './run-reports.js';
import type { RunReports } from './run-reports.js';
import type { JobConfig } from './job-config.js';

/** What the caller (CLI, demo, tests) hears while a job runs. */
export interface JobObserver {
  started?(info: RunStart & { job: string; dryRun: boolean }): void;
  progress?(counts: Readonly<RunCounts>): void;
  retry?(info: { attempt: number; status?: number; delayMs: number; reason: string }): void;
  warn?(message: string): void;
  /** One HTTP request is about to go out (any attempt), so a display can show requests/min against the limit. */
  request?(): void;
  /** The loader holds every request back, and why and until when; `undefined`: sending again. */
  waiting?(wait: LoaderWait | undefined): void;
}

export interface JobResult {
  summary: RunSummary;
  /** What `--compare-target` predicted; absent without it. */
  target?: ReportTarget;
  reports: RunReports;
  checkpointFile: string | undefined;
}

/**
 * Runs one migration job end to end: the I/O edge around {@link runPasses} (a full pass, or an
 * incremental rerun, by the job's phase). Opens (and always
 * closes, in reverse order) the mapping, the source database, the checkpoint store and the report
 * files; a dry run opens no checkpoint and no HTTP client at all (except the read-only lookups of
 * `--compare-target`, see {@link createTargetComparison}).
 */
export async function migrateJob(
  config: JobConfig,
  options: {
    observer?: JobObserver; signal?: AbortSignal; source?: Kysely<any>; sourceDescription?: string; // eslint-disable-line @typescript-eslint/no-explicit-any -- legacy schema
    killPoint?: (name: string) => void;
    /** The loader's clock and sleep (the rate limiter, backoffs, the send journal): a scaled one for the bench. @default real time */
    clock?: LoaderClock;
    /** The clock of the reported duration (`durationMs`, `duplicatesScanMs`). @default Date.now */
    now?: () => number;
    /**
     * With a state database: `run` plans the chunks of the full pass and works them (or runs the
     * incremental passes), a `worker` only works chunks. @default 'run'
     */
    role?: 'run' | 'worker';
  } = {},
): Promise<JobResult> {
  const observer = options.observer ?? {};
  // The reported duration is the whole job's, from here to the last report: the passes, and before
  // them the duplicates policy's pre-scan (its own share is reported too).
  const now = options.now ?? Date.now;
  const startedAt = now();
  const mapping = await loadMappingFile(config.mappingFile);
  const releasers: Array<() => Promise<void>> = [];
  try {
    const source = options.source ?? connectSource(requireValue(config.databaseUrl, 'a database URL (--database-url or DATABASE_URL)'));
    if (!options.source) releasers.push(() => source.destroy());
    const sourceDescription = options.sourceDescription ?? describeSource(config.databaseUrl ?? '');
    // --local-address: every request to Dynamic (bulk, look-ups, --compare-target) leaves from it.
    const api = config.localAddress ? await boundFetch(config.localAddress) : undefined;
    if (api) releasers.push(() => api.close());

    const fingerprint = { source: `${sourceDescription} ${mapping.spec.source.table}`, mappingHash: mapping.hash, environmentId: config.environmentId ?? null, ...(config.dryRun ? {} : { api: apiOrigin(config.apiUrl) }) };
    const warn = (message: string) => observer.warn?.(message);
    const state = await openJobState(config, fingerprint, { role: options.role ?? 'run', warn, ...(options.clock ? { clock: options.clock } : {}) });
    releasers.push(() => state.close());
    const checkpointFile = 'checkpointFile' in state ? state.checkpointFile : undefined;
    const { journal } = state;

    const reports = openRunReports(join(config.reportsDir, config.job, newRunId()), { dryRun: config.dryRun });
    // Only the columns the mapping uses: a wide legacy table's other columns are never sent or parsed.
    const sourceSpec = await withReadColumns(source, mapping.spec.source, columnsToRead(mapping.spec));
    // The mapping with its duplicates policy: a pre-scan of the source decides who is sent (none
    // without a policy). Reconcile decides eligibility with the same mapper.
    const scanStartedAt = now();
    const { mapRow, plan: duplicates } = await compileRunMapper(source, mapping.spec, { pageSize: config.pageSize, ...(options.signal ? { signal: options.signal } : {}) });
    const scanned = mapping.spec.duplicates === undefined ? {} : { duplicatesScanMs: now() - scanStartedAt };
    // report.html, report.json and rejects.csv: counts and samples gathered from the recorder hooks.
    // A real run's rejects files are written at its end from the checkpoint's record of them, which
    // each settle writes in its own transaction: a kill between the two loses no line.
    const rejectsFromRecord = !config.dryRun;
    const report = createRunReport({
      job: config.job, dryRun: config.dryRun, spec: mapping.spec, legacyIdKey: mapping.spec.legacyIdKey, duplicates: reportDuplicates(duplicates), rejectsFromRecord,
    });
    releasers.push(() => report.discard());
    // One limiter for every request to the developer endpoints (look-ups, --compare-target): one budget per IP.
    const developerLimiter = new RateLimiter({
      perMinute: developerPerMinute(config),
      ...(state.sharedBudget ? { shared: state.sharedBudget } : {}),
      ...(options.clock ? { now: options.clock.now, sleep: options.clock.sleep } : {}),
    });
    const meter = state.meter;
    const metered: JobObserver = meter ? { ...observer, request: () => (meter.request(), observer.request?.()) } : observer;
    const comparison = config.compareTarget ? targetComparison(config, mapping.spec, observer, developerLimiter, options.signal, api?.fetch) : undefined;
    const sender = config.dryRun
      ? dryRunBatchSender((line) => reports.payload(line))
      : httpSender(config, mapping.spec, metered, {
        journal, developerLimiter, sharedBudget: state.sharedBudget, requestTimeoutMs: state.requestTimeoutMs, clock: options.clock, fetch: api?.fetch,
      });
    const passes = await state.drive(
      {
        source,
        spec: sourceSpec,
        mapRow,
        journal,
        sender,
        started: (start) => observer.started?.({ ...start, job: config.job, dryRun: config.dryRun }),
        recorder: {
          rejected: (rejection) => {
            if (!rejectsFromRecord) reports.rejected(rejection);
          },
          failed: (outcome) => reports.failed(outcome),
          progress: (counts) => observer.progress?.(counts),
          warn: (message) => observer.warn?.(message),
          mapped: (result) => {
            report.mapped(result);
            return comparison?.offer(result);
          },
          settled: (outcomes) => {
            meter?.settled(outcomes.length);
            report.settled(outcomes);
          },
        },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.killPoint ? { killPoint: options.killPoint } : {}),
        ...parallelOptions(config, mapping.hash, mapping.spec.duplicates === undefined),
      },
      {
        job: config.job,
        dryRun: config.dryRun,
        pageSize: config.pageSize,
        batchSize: config.batchSize,
        concurrency: config.concurrency,
        upsert: config.upsert,
        lagSeconds: config.lagSeconds,
        resendUnchanged: config.resendUnchanged,
      },
    );
    const target = await comparison?.finish();
    const summary: RunSummary = { ...passes, ...scanned, durationMs: now() - startedAt };
    const written: Array<() => Promise<void>> = [];
    for (const reported of state.reportedJournals()) {
      const unreported = await reported.unreportedRejections();
      for await (const rejection of unreported?.rows ?? []) {
        reports.rejected(rejection);
        report.rejected(rejection);
      }
      if (unreported) written.push(() => reported.markRejectionsReported(unreported.through));
    }
    await reports.finish(summary);
    await report.finish(summary, reports.dir, target);
    for (const mark of written) await mark();
    return { summary, reports, checkpointFile, ...(target ? { target } : {}) };
  } finally {
    for (const release of releasers.reverse()) await release();
  }
}

/**
 * Worker threads need a connection string of their own (not the in-process PGlite of the demo) and
 * a mapping they can load by path; a duplicates policy rewrites rows in this thread, so it keeps the
 * pass here too.
 */
function parallelOptions(config: JobConfig, mappingHash: string, noDuplicatePolicy: boolean): Pick<PassesDeps, 'parallel'> {
  const { workers } = config;
  if (workers === 0 || !config.databaseUrl || !noDuplicatePolicy) return {};
  return { parallel: { workers, databaseUrl: config.databaseUrl, mappingFile: config.mappingFile, mappingHash } };
}

/** Where this run keeps the job's state: none (dry run), the embedded file, or a shared PostgreSQL. */
async function openJobState(
  config: JobConfig,
  fingerprint: Fingerprint,
  context: { role: 'run' | 'worker'; warn: (message: string) => void; clock?: LoaderClock },
): Promise<JobState & { checkpointFile?: string }> {
  if (config.dryRun) return dryRunState();
  if (!config.stateUrl) {
    if (context.role === 'worker') throw new ConfigError('a worker needs the state database: pass --state-url or set DYNAMIC_MIGRATE_STATE_URL');
    return fileJobState(config, fingerprint, context.warn);
  }
  // Loaded on use: the embedded path never loads the job engine.
  const { openSharedJobState } = await import('../scale/shared-job-state.js');
  return openSharedJobState({ ...config, stateUrl: config.stateUrl }, fingerprint, context);
}

/** Time as the loader sees it. */
export interface LoaderClock {
  now: () => number;
  sleep: Sleep;
}

function httpSender(
  config: JobConfig,
  spec: MappingSpec,
  observer: JobObserver,
  deps: {
    journal: Journal; developerLimiter: RateLimiter; sharedBudget: SharedBudget | undefined; requestTimeoutMs: number | undefined;
    clock: LoaderClock | undefined; fetch: typeof fetch | undefined;
  },
): BatchSender {
  const { journal, clock } = deps;
  const environmentId = requireValue(config.environmentId, 'an environment id (--environment-id or DYNAMIC_ENVIRONMENT_ID)');
  const token = requireValue(config.token, 'an API token (DYNAMIC_API_TOKEN)');
  // The limiter's pauses and the sender's look-ups both tell the display; one must not clear the other's.
  const board = waitBoard((wait) => observer.waiting?.(wait));
  const rateLimiter = new RateLimiter({
    perMinute: config.rateLimitPerMinute,
    // A restarted run starts with its predecessor's sends of the last window counted.
    journal: journal.sendJournal({ retainMs: 10 * 60_000, ...(clock ? { now: clock.now } : {}) }),
    ...(clock ? { now: clock.now, sleep: clock.sleep } : {}),
    // The operator hears when the server's limit changed our rate; the probes back up are routine.
    onLimitChange: (change) => {
      if (change.reason !== 'probe') observer.warn?.(describeLimitChange(change));
    },
    onWait: (wait) => board.set('limiter', wait),
    ...(deps.sharedBudget ? { shared: deps.sharedBudget } : {}),
  });
  const client = createBulkClient({
    baseUrl: config.apiUrl, environmentId, token, rateLimiter,
    retries: config.retries,
    onRetry: (info) => observer.retry?.(info),
    onAttempt: () => observer.request?.(),
    ...(deps.requestTimeoutMs !== undefined ? { requestTimeoutMs: deps.requestTimeoutMs } : {}),
    ...(clock ? { sleep: clock.sleep } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  return httpBatchSender({
    client,
    legacyIdKey: spec.legacyIdKey,
    // Look-ups go to the developer endpoints, a budget of their own (1500/min per IP).
    lookups: {
      baseUrl: config.apiUrl, environmentId, token, retries: config.retries,
      rateLimiter: deps.developerLimiter,
      ...(deps.requestTimeoutMs !== undefined ? { requestTimeoutMs: deps.requestTimeoutMs } : {}),
      onRetry: (info) => observer.retry?.(info),
      ...(clock ? { sleep: clock.sleep } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    },
    warn: (message) => observer.warn?.(message),
    waiting: (wait) => board.set('lookups', wait),
  });
}

/** The developer endpoints' budget of this run: the stricter of the limits that apply (0 = none). */
function developerPerMinute(config: JobConfig): number {
  const limits = [...(config.dryRun ? [] : [config.lookupRateLimitPerMinute]), ...(config.compareTarget ? [config.compareRateLimitPerMinute] : [])];
  const set = limits.filter((limit) => limit > 0);
  return set.length === 0 ? 0 : Math.min(...set);
}

/** Several sources of waits, one display: the newest wait shows until it ends, then the one before it. */
function waitBoard(show: (wait: LoaderWait | undefined) => void): { set(source: string, wait: LoaderWait | undefined): void } {
  const waits = new Map<string, LoaderWait>();
  return {
    set(source, wait) {
      waits.delete(source);
      if (wait) waits.set(source, wait);
      show([...waits.values()].at(-1));
    },
  };
}

/** `--compare-target`: read-only lookups on the developer endpoints' limiter (not the bulk one). */
function targetComparison(
  config: JobConfig, spec: MappingSpec, observer: JobObserver, rateLimiter: RateLimiter, signal: AbortSignal | undefined, fetch: typeof globalThis.fetch | undefined,
): TargetComparison {
  return createTargetComparison({
    legacyIdKey: spec.legacyIdKey,
    request: {
      baseUrl: config.apiUrl,
      environmentId: requireValue(config.environmentId, 'an environment id (--environment-id or DYNAMIC_ENVIRONMENT_ID) for --compare-target'),
      token: requireValue(config.token, 'an API token (DYNAMIC_API_TOKEN) for --compare-target'),
      rateLimiter,
      retries: config.retries,
      onRetry: (info) => observer.retry?.(info),
      ...(signal ? { signal } : {}),
      ...(fetch ? { fetch } : {}),
    },
    warn: (message) => observer.warn?.(message),
  });
}

function requireValue<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new ConfigError(`missing ${what}`);
  return value;
}
