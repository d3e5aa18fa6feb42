import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter, createBulkClient, describeLimitChange } from '../../src/load/index.js';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.js';

// The loader's rate behaviour against the real emulator over HTTP, on a 3 s window instead of
// Dynamic's minute (long enough that Retry-After's whole seconds leave windows to count in): the
// arithmetic is the same. Assertions count 429s per window, never durations. When a cut comes
// depends on how the machine schedules the first windows (Retry-After's whole seconds are a third of
// a window here), so what follows a cut is counted from the cut, not from a fixed window: the exact
// window-by-window story is the fake-clock unit test's (rate-limiter-answers.test.ts).
const ENV = '3f2c1b6a-8d4e-4a7b-9c0d-1e2f3a4b5c6d';
const WINDOW_MS = 3_000;
const DEFAULT_WINDOWS = 4;
const CLIENT_LIMIT = 20;

let emulator: EmulatorProcess | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

/** The response as Dynamic documents it: 429 + Retry-After, no rate-limit headers. */
const withoutRateLimitHeaders: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const headers = new Headers(response.headers);
  for (const name of [...headers.keys()]) if (/^(x-)?ratelimit-/.test(name)) headers.delete(name);
  return new Response(response.body, { status: response.status, headers });
};

/** Four workers send 2-user batches for `windows` windows; returns 429s per window and what was sent. */
async function load(serverLimit: number, options: { headers: boolean; windows?: number; windowsAfterCut?: number }) {
  const WINDOWS = options.windows ?? DEFAULT_WINDOWS;
  emulator = await startEmulatorProcess(['--rate-limit', String(serverLimit), '--rate-window-ms', String(WINDOW_MS)]);
  const notices: string[] = [];
  const retryReasons: string[] = [];
  /** When the rate was first lowered on 429s (ms since the start). */
  let cutAt: number | undefined;
  const start = Date.now();
  const limiter = new RateLimiter({
    perMinute: CLIENT_LIMIT, windowMs: WINDOW_MS,
    onLimitChange: (change) => {
      notices.push(describeLimitChange(change));
      if (change.reason === 'rate_limited') cutAt ??= Date.now() - start;
    },
  });
  const windowOf = () => Math.floor((Date.now() - start) / WINDOW_MS);
  const rateLimitedPerWindow = new Array<number>(WINDOWS + 1).fill(0);
  /** When each 429 came back (ms since the start). */
  const rateLimitedAt: number[] = [];
  const client = createBulkClient({
    baseUrl: emulator.baseUrl, environmentId: ENV, token: emulator.token, rateLimiter: limiter, minBackoffMs: 10, maxBackoffMs: 100,
    ...(options.headers ? {} : { fetch: withoutRateLimitHeaders }),
    onRetry: (info) => {
      retryReasons.push(info.reason);
      if (info.status !== 429) return;
      rateLimitedPerWindow[Math.min(windowOf(), WINDOWS)]!++;
      rateLimitedAt.push(Date.now() - start);
    },
  });
  const over = new AbortController();
  let next = 0;
  let delivered = 0;
  const going = () => options.windowsAfterCut === undefined
    ? windowOf() < WINDOWS
    : windowOf() < WINDOWS && (cutAt === undefined || Date.now() - start < cutAt + options.windowsAfterCut * WINDOW_MS);
  const worker = async () => {
    while (going()) {
      const users = [next++, next++].map((n) => ({ email: `rate${n}@example.com` }));
      try {
        await client.send(users, { upsert: false, waitSignal: over.signal });
        delivered++;
      } catch (error) {
        if (!over.signal.aborted) throw error;
      }
    }
    over.abort(new Error('load over'));
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { rateLimitedPerWindow, rateLimitedAt, cutAt, delivered, notices, retryReasons, stats: await emulator.stats() };
}

describe('the loader against a rate-limited emulator', () => {
  it('runs at the server limit without a single 429 when client and server agree', async () => {
    const { rateLimitedPerWindow, delivered, stats } = await load(CLIENT_LIMIT, { headers: false });
    expect(stats.rateLimited).toBe(0);
    expect(rateLimitedPerWindow.every((n) => n === 0)).toBe(true);
    expect(delivered).toBeGreaterThanOrEqual(CLIENT_LIMIT);
  }, 30_000);

  it('adopts a lower limit the server announces in its headers', async () => {
    const { rateLimitedPerWindow, notices } = await load(CLIENT_LIMIT / 2, { headers: true });
    expect(rateLimitedPerWindow.slice(2).every((n) => n === 0)).toBe(true);
    expect(notices[0]).toBe(`the server announces a limit of ${CLIENT_LIMIT / 2} per 3 s; sending at ${CLIENT_LIMIT / 2} per 3 s (configured ${CLIENT_LIMIT} per 3 s)`);
  }, 30_000);

  it('without headers, learns a lower limit from 429s in two windows running: after the window of the cut, no 429 but a probe\'s', async () => {
    // Runs until three windows after the cut (the first probe's moment), or for 8 windows at most.
    const { rateLimitedAt, cutAt, stats, notices, retryReasons } = await load(CLIENT_LIMIT / 2, { headers: false, windows: 8, windowsAfterCut: 3 });
    expect(cutAt, 'the rate was never lowered').toBeDefined();
    expect(notices[0]).toMatch(/^rate limited in two windows running: server limit appears to be about \d+ per 3 s; sending at \d+ per 3 s/);
    const learned = Number(/sending at (\d+)/.exec(notices[0]!)![1]);
    expect(learned).toBeGreaterThan(0);
    expect(learned).toBeLessThanOrEqual(CLIENT_LIMIT / 2); // what the server certainly accepted: never above its limit
    expect(rateLimitedAt.filter((at) => at < cutAt!).length).toBeGreaterThan(0);
    // The window of the cut may still answer requests sent at the old rate; after it, only a probe
    // (from three windows after the cut) may meet the limit, once per sender.
    const probes = notices.filter((notice) => notice.startsWith('probing')).length;
    expect(rateLimitedAt.filter((at) => at > cutAt! + WINDOW_MS).length).toBeLessThanOrEqual(4 * probes);
    expect(stats.rateLimited).toBe(rateLimitedAt.length);
    // The operator hears it through the retry hook too, on the 429 that caused the cut.
    expect(retryReasons.filter((reason) => reason.includes(notices[0]!))).toHaveLength(1);
  }, 60_000);
});
