import { startEmulator } from '../emulator/index.js';
import type { SourceDb } from '../extract/index.js';
import { RateLimiter, createBulkClient, describeLimitChange } from '../load/index.js';
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
  /** Let the client see the emulator's rate-limit headers; false = only 429 + Retry-After, as Dynamic documents. */
  serverHeaders: boolean;
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
  /** Windows until the 429s stopped: 1 + the last window with a 429 (0 = none at all). */
  adaptedAfterWindows: number;
  /** The client's notices about its sending rate, in order. */
  limitChanges: string[];
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
  const acceptedPerWindow = new Array<number>(scenario.windows).fill(0);
  const rateLimitedPerWindow = new Array<number>(scenario.windows).fill(0);
  const limitedAt: number[] = [];
  const limitChanges: string[] = [];
  // Every answer is counted in the (scaled) window it came back in.
  const count: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const at = clock.now();
    const w = Math.floor((at - start) / 60_000);
    const perWindow = response.status === 429 ? rateLimitedPerWindow : acceptedPerWindow;
    if (response.status === 429) limitedAt.push(at);
    if (w < scenario.windows) perWindow[w] = (perWindow[w] ?? 0) + 1;
    return scenario.serverHeaders ? response : withoutRateLimitHeaders(response);
  };
  const client = createBulkClient({
    baseUrl: emulator.baseUrl,
    environmentId: BENCH_ENVIRONMENT,
    token: BENCH_TOKEN,
    rateLimiter: new RateLimiter({
      perMinute: scenario.clientPerMinute, now: clock.now, sleep: clock.sleep,
      onLimitChange: (change) => limitChanges.push(`${((clock.now() - start) / 1000).toFixed(1)} s: ${describeLimitChange(change)}`),
    }),
    sleep: clock.sleep,
    fetch: count,
    retries: 50,
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
        sender: httpBatchSender({
          client, legacyIdKey: spec.legacyIdKey,
          lookups: { baseUrl: emulator.baseUrl, environmentId: BENCH_ENVIRONMENT, token: BENCH_TOKEN, rateLimiter: new RateLimiter({ perMinute: 0 }) },
        }),
        recorder: { rejected: () => {}, failed: () => {}, progress: () => {}, warn: () => {} },
        signal: stop.signal,
      },
      { job: 'bench-rate', dryRun: false, pageSize: 500, batchSize: scenario.batchSize, concurrency: 4, upsert: false, lagSeconds: 0 },
    );
    const accepted = acceptedPerWindow.reduce((a, b) => a + b, 0);
    const first = limitedAt[0];
    const last = limitedAt.at(-1);
    const lastLimitedWindow = rateLimitedPerWindow.findLastIndex((n) => n > 0);
    return {
      accepted,
      rateLimited: emulator.stats().rateLimited,
      acceptedPerWindow,
      rateLimitedPerWindow,
      fractionOfServerLimit: accepted / (scenario.serverPerMinute * scenario.windows),
      adaptMs: first !== undefined && last !== undefined ? last - first : 0,
      adaptedAfterWindows: lastLimitedWindow + 1,
      limitChanges,
      usersCreated: summary.created,
      realSeconds: (performance.now() - realStart) / 1000,
    };
  } finally {
    clearTimeout(timer);
    await emulator.close();
  }
}

/** The response as a server that documents only 429 + Retry-After (Dynamic) would send it. */
function withoutRateLimitHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const name of [...headers.keys()]) if (/^(x-)?ratelimit-/.test(name)) headers.delete(name);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
