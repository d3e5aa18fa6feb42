import { describe, expect, it } from 'vitest';
import { ClientRateLimit } from '../../../src/emulator/client-rate-limit.js';
import { RateLimiter, type LimitChange, type RateSlot, type SendJournal, type SendRecord } from '../../../src/load/index.js';
import { mulberry32 } from '../../../src/shared/mulberry32.js';
import { FakeClock } from './fake-clock.js';

const WINDOW = 60_000;

function setup(perMinute: number, windowMs = WINDOW) {
  const clock = new FakeClock();
  const changes: LimitChange[] = [];
  const limiter = new RateLimiter({ perMinute, windowMs, now: clock.now, sleep: clock.sleep, onLimitChange: (c) => changes.push(c) });
  const grants: number[] = [];
  const take = () => limiter.acquire().then((slot) => { grants.push(clock.now()); return slot; });
  return { clock, limiter, changes, grants, take };
}

const answer = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers) });

describe('RateLimiter slots', () => {
  it('keeps a slot occupied until a window after its answer, not after its grant', async () => {
    const { clock, grants, take } = setup(2);
    const [a, b] = await Promise.all([take(), take()]);
    a.release(answer(200));
    await clock.advance(30_000);
    b.release(answer(200)); // a slow answer: the server may have counted it as late as now
    const c = take();
    const d = take();
    await clock.advance(2 * WINDOW);
    await Promise.all([c, d]);
    expect(grants).toEqual([0, 0, WINDOW + 50, 30_000 + WINDOW + 50]);
  });

  it('waits for an answer when every slot is in flight, however long that takes', async () => {
    const { clock, grants, take } = setup(1);
    const first = await take();
    const second = take();
    await clock.advance(10 * WINDOW);
    expect(grants).toEqual([0]);
    first.release(); // given up without an answer: it still counted until now
    await clock.advance(WINDOW + 50);
    await second;
    expect(grants).toEqual([0, 11 * WINDOW + 50]);
  });

  it('never lets the server see N+1 arrivals in one window, whatever the network delays', async () => {
    // Four workers, as the loader runs; each request arrives at a random moment between its send
    // and its answer, and the emulator's own limiter judges the arrivals.
    const { clock, grants, take } = setup(10, 1_000);
    const server = new ClientRateLimit({ perWindow: 10, windowMs: 1_000, now: clock.now });
    const next = mulberry32(6); // reproducible random delays
    let refused = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const slot: RateSlot = await take();
        const trip = Math.floor(next() * 400);
        const arrival = Math.floor(next() * trip);
        await clock.sleep(arrival);
        const allowed = server.tryAcquire('client').allowed;
        if (!allowed) refused++;
        await clock.sleep(trip - arrival);
        slot.release(answer(allowed ? 200 : 429));
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    for (let ms = 0; ms < 20_000; ms += 100) await clock.advance(100);
    stop = true;
    await clock.advance(5_000);
    await Promise.all(workers);
    expect(refused).toBe(0);
    // ...and it is not timid: at least 80% of 10 per second over the 20 s, despite trips of up to 0.4 s.
    expect(grants.filter((at) => at < 20_000).length).toBeGreaterThanOrEqual(160);
  });
});

describe('RateLimiter adaptation', () => {
  it('sends at the limit the server announces in its headers, from the first answer', async () => {
    const { clock, limiter, changes, grants, take } = setup(10);
    const first = await take();
    first.release(answer(200, { 'RateLimit-Limit': '3', 'RateLimit-Policy': '3;w=60' }));
    expect(limiter.limit).toEqual({ limit: 3, windowMs: WINDOW });
    expect(changes.map((c) => c.reason)).toEqual(['server_limit']);
    const rest = Array.from({ length: 5 }, () => take().then((slot) => slot.release(answer(200))));
    await clock.advance(2 * WINDOW);
    await Promise.all(rest);
    expect(grants).toEqual([0, 0, 0, WINDOW + 50, WINDOW + 50, WINDOW + 50]);
  });

  it('a lowered rate follows a lower server limit: 429s only in the first two windows, the limit from the third', async () => {
    const result = await simulate({ server: 30, client: 60, windows: 4 });
    expect(result.refusedPerWindow.slice(2)).toEqual([0, 0]);
    for (const accepted of result.acceptedPerWindow.slice(2)) expect(accepted).toBeGreaterThanOrEqual(27); // >= 90% of 30
    expect(result.changes[0]).toMatch(/^rate_limited:30/);
  });

  it('learns a lower limit whose Retry-After ends the pause just as the server\'s window frees, answers coming back in milliseconds', async () => {
    // The slots of the window before are still held (a window and a margin past their answers)
    // when the pause ends, so every slot looks used although the server took half: it must still
    // count as the server stopping us short.
    // A 3 s window, as the integration test runs it: Retry-After's whole seconds add little to the pause.
    const result = await simulate({ server: 10, client: 20, windows: 4, windowMs: 3_000, tripMs: [2, 12] });
    expect(result.changes[0]).toMatch(/^rate_limited:10/);
    expect(result.refusedPerWindow.slice(2)).toEqual([0, 0]);
  });

  it.each([11, 12, 13, 14, 15, 16])('5%% random 429s (a proxy: Retry-After: 1) never lower the rate: >= 90%% of the limit over 5 windows (seed %i)', async (seed) => {
    const result = await simulate({ server: 60, client: 60, windows: 5, noise: 0.05, seed });
    expect(result.spurious).toBeGreaterThan(5);
    expect(result.changes).toEqual([]);
    const total = result.acceptedPerWindow.reduce((a, b) => a + b, 0);
    expect(total / (60 * 5)).toBeGreaterThanOrEqual(0.9);
  });

  it.each([21, 22, 23])('noisier still (8%% random 429s) the rate stays where it is (seed %i)', async (seed) => {
    const result = await simulate({ server: 60, client: 60, windows: 5, noise: 0.08, seed });
    expect(result.changes).toEqual([]);
  });

  it('a run restarted in the middle of a window starts with its predecessor\'s sends counted: no 429 from its own past', async () => {
    const journal = memorySendJournal();
    const server = new ClientRateLimit({ perWindow: 30, windowMs: WINDOW, now: undefined as never });
    const first = await simulate({ server: 30, client: 30, windows: 0.5, journal, serverLimit: server, killAtEnd: true });
    expect(first.acceptedPerWindow[0]).toBe(30);
    // Restarted 10 s later, with the server's window still full of the first run's requests.
    const restarted = await simulate({ server: 30, client: 30, windows: 3, journal, serverLimit: server, startAt: first.endedAt + 10_000 });
    expect(restarted.refusedPerWindow).toEqual([0, 0, 0]);
    for (const accepted of restarted.acceptedPerWindow.slice(1)) expect(accepted).toBeGreaterThanOrEqual(29); // >= 95%
    // Without the journal the same restart meets the first run's window with 429s.
    const blind = await simulate({ server: 30, client: 30, windows: 0.5, serverLimit: new ClientRateLimit({ perWindow: 30, windowMs: WINDOW, now: undefined as never }), killAtEnd: true });
    const again = await simulate({ server: 30, client: 30, windows: 1, serverLimit: blind.server, startAt: blind.endedAt + 10_000 });
    expect(again.refusedPerWindow[0]).toBeGreaterThan(0);
  });
});

/** A SendJournal in memory, standing in for the checkpoint's table (tested in the checkpoint suite). */
function memorySendJournal(): SendJournal & { records: SendRecord[] } {
  const records: SendRecord[] = [];
  return {
    records,
    recent: () => records.map((r) => ({ ...r })),
    sent: (grantedAt) => records.push({ grantedAt, doneAt: null, answer: null }) - 1,
    answered: (id, doneAt, answer) => Object.assign(records[id]!, { doneAt, answer }),
  };
}

interface Simulation {
  server: number;
  client: number;
  /** How long to run, in windows (may be a fraction). */
  windows: number;
  /** Share of requests answered with a spurious 429 (Retry-After: 1). */
  noise?: number;
  seed?: number;
  journal?: SendJournal;
  /** The server's limiter, to carry its window over a restart. */
  serverLimit?: ClientRateLimit;
  /** Stop with requests in flight that never get their answer (a kill -9). */
  killAtEnd?: boolean;
  /** The server's and the client's window (default a minute). */
  windowMs?: number;
  /** Shortest and longest round trip, ms (default 50-300). */
  tripMs?: [number, number];
  startAt?: number;
}

/**
 * Four senders against a server with a sliding-window limit (the emulator's ClientRateLimit),
 * on a fake clock: each request arrives at a random moment of a 50-300 ms trip (or `tripMs`); a 429 pauses
 * every sender for its Retry-After, as the bulk client does. Without rate-limit headers.
 */
async function simulate(options: Simulation) {
  const windowMs = options.windowMs ?? WINDOW;
  const clock = new FakeClock();
  clock.time = options.startAt ?? 0;
  const start = clock.time;
  const server = options.serverLimit ?? new ClientRateLimit({ perWindow: options.server, windowMs, now: undefined as never });
  (server as unknown as { now: () => number }).now = clock.now;
  const changes: string[] = [];
  const limiter = new RateLimiter({
    perMinute: options.client, windowMs, now: clock.now, sleep: clock.sleep, ...(options.journal ? { journal: options.journal } : {}),
    onLimitChange: (c) => changes.push(`${c.reason}:${c.limit}`),
  });
  const random = mulberry32(options.seed ?? 5);
  const windows = Math.ceil(options.windows);
  const acceptedPerWindow = new Array<number>(windows).fill(0);
  const refusedPerWindow = new Array<number>(windows).fill(0);
  let spurious = 0;
  const end = start + options.windows * windowMs;
  const worker = async () => {
    while (clock.now() < end) {
      const slot = await limiter.acquire();
      if (clock.now() >= end) {
        if (!options.killAtEnd) slot.release();
        return;
      }
      const [shortest, longest] = options.tripMs ?? [50, 300];
      const trip = shortest + Math.floor(random() * (longest - shortest));
      await clock.sleep(Math.floor(trip / 2));
      const window = Math.floor((clock.now() - start) / windowMs);
      let status = 200;
      let retryAfterMs = 0;
      if (random() < (options.noise ?? 0)) {
        spurious++;
        status = 429;
        retryAfterMs = 1_000;
      } else {
        const decision = server.tryAcquire('client');
        if (!decision.allowed) [status, retryAfterMs] = [429, decision.retryAfterSeconds * 1_000];
      }
      if (window < windows) (status === 429 ? refusedPerWindow : acceptedPerWindow)[window]! += 1;
      await clock.sleep(trip - Math.floor(trip / 2));
      if (options.killAtEnd && clock.now() >= end) return; // killed before the answer arrived
      slot.release(answer(status));
      if (status === 429) limiter.pauseFor(retryAfterMs);
    }
  };
  const workers = Promise.all([worker(), worker(), worker(), worker()]);
  while (clock.now() < end) await clock.advance(100);
  await clock.advance(5 * windowMs);
  if (!options.killAtEnd) await workers;
  return { acceptedPerWindow, refusedPerWindow, spurious, changes, endedAt: end, server };
}
