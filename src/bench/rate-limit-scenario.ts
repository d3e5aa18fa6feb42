import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/index.js';
import type { RunningEmulator } from '../emulator/index.js';
import type { SourceDb } from '../extract/index.js';
import { RateLimiter, createBulkClient, describeLimitChange } from '../load/index.js';
import type { MappingSpec } from '../mapping/index.js';
import { compileMapping } from '../mapping/index.js';
import { httpBatchSender, memoryJournal, runPasses } from '../pipeline/index.js';
import { scaledClock, type ScaledClock } from '../shared/scaled-clock.js';

export const BENCH_TOKEN = 'dyn_bench_token';
export const BENCH_ENVIRONMENT = '00000000-0000-4000-8000-00000000be11';
const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));
const WINDOW_MS = 60_000;

/** One rate-limited run: the server allows `serverPerMinute`, the client is set to `clientPerMinute`. */
export interface RateLimitScenario {
  serverPerMinute: number;
  clientPerMinute: number;
  /** Length of the run, in (scaled) one-minute windows. */
  windows: number;
  /** Speed-up of the clock shared by client and emulator: 1 = real minutes. */
  factor: number;
  batchSize: number;
  /** Let the emulator send its rate-limit headers; false = only 429 + Retry-After, as Dynamic documents. */
  serverHeaders: boolean;
  /** Share of bulk requests answered with a spurious 429 (Retry-After: 1), as a proxy would. @default 0 */
  noise?: number;
}

export interface RateLimitResult {
  /** Bulk requests the emulator accepted (not 429) within the run. */
  accepted: number;
  rateLimited: number;
  /** Of those, the spurious ones. */
  spurious: number;
  /** Accepted requests per (scaled) window, in order. */
  acceptedPerWindow: number[];
  /** 429s per (scaled) window, in order. */
  rateLimitedPerWindow: number[];
  /** Accepted / (serverPerMinute × windows). */
  fractionOfServerLimit: number;
  /** Windows until the 429s stopped: 1 + the last window with a 429 (0 = none at all). */
  adaptedAfterWindows: number;
  /** The client's notices about its sending rate, in order. */
  limitChanges: string[];
  usersCreated: number;
  realSeconds: number;
}

/** Counts the emulator's bulk answers per scaled window, by sampling its counters at each window's end. */
function windowCounter(emulator: RunningEmulator, clock: ScaledClock, start: number, windows: number) {
  const accepted = new Array<number>(windows).fill(0);
  const refused = new Array<number>(windows).fill(0);
  let last = emulator.stats();
  let window = 0;
  const sample = () => {
    const now = emulator.stats();
    const w = Math.min(window, windows - 1);
    refused[w]! += now.rateLimited - last.rateLimited;
    accepted[w]! += now.bulkRequests - last.bulkRequests - (now.rateLimited - last.rateLimited);
    last = now;
  };
  const timer = setInterval(() => {
    sample();
    window = Math.floor((clock.now() - start) / WINDOW_MS);
  }, 20);
  return {
    accepted, refused,
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}

/**
 * Runs the real pipeline (runPasses → httpBatchSender → createBulkClient → RateLimiter) against an
 * in-process emulator with a rate limit, both on one scaled clock (see {@link scaledClock}), and
 * stops it after `windows` windows. A memory journal stands in for the checkpoint: at these rates
 * the limit, not the bookkeeping, is the bottleneck.
 */
export async function runRateLimitScenario(source: SourceDb, spec: MappingSpec, scenario: RateLimitScenario): Promise<RateLimitResult> {
  const clock = scaledClock(scenario.factor);
  const emulator = await startEmulator({
    port: 0, token: BENCH_TOKEN, rateLimitPerMinute: scenario.serverPerMinute, rateLimitWindowMs: WINDOW_MS, now: clock.now,
    rateLimitHeaders: scenario.serverHeaders, spurious429Rate: scenario.noise ?? 0, seed: 7,
  });
  const start = clock.now();
  const limitChanges: string[] = [];
  const counter = windowCounter(emulator, clock, start, scenario.windows);
  const rateLimiter = new RateLimiter({
    perMinute: scenario.clientPerMinute, now: clock.now, sleep: clock.sleep,
    onLimitChange: (change) => limitChanges.push(`${((clock.now() - start) / 1000).toFixed(1)} s: ${describeLimitChange(change)}`),
  });
  const request = { baseUrl: emulator.baseUrl, environmentId: BENCH_ENVIRONMENT, token: BENCH_TOKEN };
  const client = createBulkClient({ ...request, rateLimiter, sleep: clock.sleep, retries: 50 });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new Error('bench window over')), (scenario.windows * WINDOW_MS) / scenario.factor);
  const realStart = performance.now();
  try {
    const summary = await runPasses(
      {
        source,
        spec: spec.source,
        mapRow: compileMapping(spec),
        journal: memoryJournal(),
        sender: httpBatchSender({ client, legacyIdKey: spec.legacyIdKey, lookups: { ...request, rateLimiter: new RateLimiter({ perMinute: 0 }), sleep: clock.sleep } }),
        recorder: { rejected: () => {}, failed: () => {}, progress: () => {}, warn: () => {} },
        signal: stop.signal,
      },
      { job: 'bench-rate', dryRun: false, pageSize: 500, batchSize: scenario.batchSize, concurrency: 4, upsert: false, lagSeconds: 0 },
    );
    counter.stop();
    return {
      ...tally(counter.accepted, counter.refused, scenario.serverPerMinute),
      spurious: emulator.stats().spurious429s,
      limitChanges,
      usersCreated: summary.created,
      realSeconds: (performance.now() - realStart) / 1000,
    };
  } finally {
    counter.stop();
    clearTimeout(timer);
    await emulator.close();
  }
}

function tally(acceptedPerWindow: number[], rateLimitedPerWindow: number[], serverPerMinute: number) {
  const accepted = acceptedPerWindow.reduce((a, b) => a + b, 0);
  return {
    accepted,
    rateLimited: rateLimitedPerWindow.reduce((a, b) => a + b, 0),
    acceptedPerWindow,
    rateLimitedPerWindow,
    fractionOfServerLimit: accepted / (serverPerMinute * acceptedPerWindow.length),
    adaptedAfterWindows: rateLimitedPerWindow.findLastIndex((n) => n > 0) + 1,
  };
}

/** A run killed (SIGKILL) in the middle of a window and restarted seconds later. */
export interface RestartScenario {
  /** Server and client limit per minute. */
  perMinute: number;
  /** Scaled windows the first run runs before its kill (e.g. 1.5: the middle of its second window). */
  killAfterWindows: number;
  /** Scaled milliseconds between the kill and the restart. */
  restartAfterMs: number;
  /** Scaled windows the restarted run is watched. */
  windows: number;
  factor: number;
  batchSize: number;
  databaseUrl: string;
  mappingFile: string;
  workDir: string;
}

export interface RestartResult {
  first: { acceptedPerWindow: number[]; rateLimited: number };
  /** The restarted run's own windows, from its start. */
  restarted: ReturnType<typeof tally>;
  /** Accepted from the restarted run's second window on / (limit × those windows). */
  fractionFromSecondWindow: number;
  realSeconds: number;
}

/**
 * The restart of issue 14: the CLI itself, in a process of its own, with its checkpoint, killed
 * with SIGKILL in the middle of a window while the server's window still holds its requests, and
 * started again `restartAfterMs` later. Client and in-process emulator share one scaled clock (the
 * CLI's through DYNAMIC_MIGRATE_BENCH_CLOCK). Counts the emulator's answers per window of each run.
 */
export async function runRestartScenario(scenario: RestartScenario): Promise<RestartResult> {
  const origin = Date.now();
  const shared = scaledClock(scenario.factor, origin);
  const emulator = await startEmulator({
    port: 0, token: BENCH_TOKEN, rateLimitPerMinute: scenario.perMinute, rateLimitWindowMs: WINDOW_MS, now: shared.now, rateLimitHeaders: false,
  });
  const args = [
    'run', '--quiet', '--mapping', scenario.mappingFile, '--job', 'bench-restart', '--rate-limit', String(scenario.perMinute),
    '--batch-size', String(scenario.batchSize), '--checkpoint-dir', `${scenario.workDir}/restart-checkpoints`, '--reports-dir', `${scenario.workDir}/restart-reports`,
  ];
  const env = {
    ...process.env, DATABASE_URL: scenario.databaseUrl, DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: BENCH_ENVIRONMENT,
    DYNAMIC_API_TOKEN: BENCH_TOKEN, DYNAMIC_MIGRATE_BENCH_CLOCK: `${origin}:${scenario.factor}`,
  };
  const realMs = (scaledMs: number) => scaledMs / scenario.factor;
  const wait = (scaledMs: number) => new Promise((resolve) => setTimeout(resolve, realMs(scaledMs)));
  const realStart = performance.now();
  try {
    const firstStart = shared.now();
    const firstWindows = Math.ceil(scenario.killAfterWindows);
    const firstCounter = windowCounter(emulator, shared, firstStart, firstWindows);
    const first = spawn(BIN, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    await wait(scenario.killAfterWindows * WINDOW_MS);
    first.kill('SIGKILL');
    await once(first, 'exit');
    firstCounter.stop();
    await wait(scenario.restartAfterMs);

    const secondStart = shared.now();
    const secondCounter = windowCounter(emulator, shared, secondStart, scenario.windows);
    const second = spawn(BIN, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    await wait(scenario.windows * WINDOW_MS);
    second.kill('SIGKILL');
    await once(second, 'exit');
    secondCounter.stop();
    const restarted = tally(secondCounter.accepted, secondCounter.refused, scenario.perMinute);
    const later = secondCounter.accepted.slice(1);
    return {
      first: { acceptedPerWindow: firstCounter.accepted, rateLimited: firstCounter.refused.reduce((a, b) => a + b, 0) },
      restarted,
      fractionFromSecondWindow: later.reduce((a, b) => a + b, 0) / (scenario.perMinute * later.length),
      realSeconds: (performance.now() - realStart) / 1000,
    };
  } finally {
    await emulator.close();
  }
}
