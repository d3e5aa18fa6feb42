import { startEmulator } from '../emulator/index.js';
import type { SourceDb } from '../extract/index.js';
import { RateLimiter, createBulkClient } from '../load/index.js';
import type { MappingSpec } from '../mapping/index.js';
import { compileMapping } from '../mapping/index.js';
import { httpBatchSender, memoryJournal, runPasses } from '../pipeline/index.js';
import { scaledClock } from './scaled-clock.js';

export const BENCH_TOKEN = 'dyn_bench_token';
export const BENCH_ENVIRONMENT = '00000000-0000-4000-8000-00000000be11';

/** One rate-limited run: the server allows `serverPerMinute`, the client is set to `clientPerMinute`. */
export interface RateLimitScenario {
  serverPerMinute: number;
  clientPerMinute: number;
  /** Length of the run, in (scaled) one-minute windows. */
  windows: number;
  /** Speed-up of the clock shared by client and emulator: 1 = real minutes. */
  factor: number;
  batchSize: number;
}

export interface RateLimitResult {
  /** Bulk requests the emulator accepted (not 429) within the run. */
  accepted: number;
  rateLimited: number;
  /** Accepted requests per (scaled) window, in order. */
  acceptedPerWindow: number[];
  /** 429s per (scaled) window, in order. */
  rateLimitedPerWindow: number[];
  /** Accepted / (serverPerMinute × windows). */
  fractionOfServerLimit: number;
  /** Scaled ms from the first 429 to the last (0 when none). */
  adaptMs: number;
  usersCreated: number;
  realSeconds: number;
}

/**
 * Runs the real pipeline (runPasses → httpBatchSender → createBulkClient → RateLimiter) against an
 * in-process emulator with a rate limit, both on one scaled clock (see {@link scaledClock}), and
 * stops it after `windows` windows. A memory journal stands in for the checkpoint: at these rates
 * the limit, not the bookkeeping, is the bottleneck.
 */
export async function runRateLimitScenario(source: SourceDb, spec: MappingSpec, scenario: RateLimitScenario): Promise<RateLimitResult> {
  const clock = scaledClock(scenario.factor);
  const emulator = await startEmulator({ port: 0, token: BENCH_TOKEN, rateLimitPerMinute: scenario.serverPerMinute, rateLimitWindowMs: 60_000, now: clock.now });
  const start = clock.now();
  const windowOf = () => Math.floor((clock.now() - start) / 60_000);
  const acceptedPerWindow = new Array<number>(scenario.windows).fill(0);
  const rateLimitedPerWindow = new Array<number>(scenario.windows).fill(0);
  const limitedAt: number[] = [];
  // Accepted per window = attempts sent in it minus the 429s heard in it.
  const client = createBulkClient({
    baseUrl: emulator.baseUrl,
    environmentId: BENCH_ENVIRONMENT,
    token: BENCH_TOKEN,
    rateLimiter: new RateLimiter({ perMinute: scenario.clientPerMinute, now: clock.now, sleep: clock.sleep }),
    sleep: clock.sleep,
    retries: 50,
    onAttempt: () => { const w = windowOf(); if (w < scenario.windows) acceptedPerWindow[w] = (acceptedPerWindow[w] ?? 0) + 1; },
    onRetry: (info) => {
      if (info.status !== 429) return;
      limitedAt.push(clock.now());
    },
  });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new Error('bench window over')), (scenario.windows * 60_000) / scenario.factor);
  const realStart = performance.now();
  try {
    const summary = await runPasses(
      {
        source,
        spec: spec.source,
        mapRow: compileMapping(spec),
        journal: memoryJournal(),
        sender: httpBatchSender(client, spec.legacyIdKey),
        recorder: { rejected: () => {}, failed: () => {}, progress: () => {}, warn: () => {} },
        signal: stop.signal,
      },
      { job: 'bench-rate', dryRun: false, pageSize: 500, batchSize: scenario.batchSize, concurrency: 4, upsert: false, lagSeconds: 0 },
    );
    const stats = emulator.stats();
    for (const at of limitedAt) {
      const w = Math.floor((at - start) / 60_000);
      if (w < scenario.windows) {
        rateLimitedPerWindow[w] = (rateLimitedPerWindow[w] ?? 0) + 1;
        acceptedPerWindow[w] = (acceptedPerWindow[w] ?? 0) - 1;
      }
    }
    const accepted = acceptedPerWindow.reduce((a, b) => a + b, 0);
    const first = limitedAt[0];
    const last = limitedAt.at(-1);
    return {
      accepted,
      rateLimited: stats.rateLimited,
      acceptedPerWindow,
      rateLimitedPerWindow,
      fractionOfServerLimit: accepted / (scenario.serverPerMinute * scenario.windows),
      adaptMs: first !== undefined && last !== undefined ? last - first : 0,
      usersCreated: summary.created,
      realSeconds: (performance.now() - realStart) / 1000,
    };
  } finally {
    clearTimeout(timer);
    await emulator.close();
  }
}
