import { describe, expect, it } from 'vitest';
import { ClientRateLimit } from '../../../src/emulator/client-rate-limit.js';
import { RateLimiter, type LimitChange, type RateSlot } from '../../../src/load/index.js';
import { mulberry32 } from '../../../src/shared/mulberry32.js';
import { FakeClock, flush } from './fake-clock.js';

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

  it('estimates the limit from a 429 without headers, cuts once for the requests in flight, and never exceeds the configuration', async () => {
    const { clock, limiter, changes, take } = setup(10);
    const slots = await Promise.all(Array.from({ length: 10 }, () => take()));
    for (const slot of slots.slice(0, 6)) slot.release(answer(200));
    expect(slots[6]!.release(answer(429))?.limit).toBe(5); // 90% of the 6 accepted
    slots[7]!.release(answer(429));
    slots[8]!.release(answer(429));
    slots[9]!.release();
    expect(limiter.limit.limit).toBe(5);
    expect(changes).toHaveLength(1);
    await clock.advance(5 * WINDOW);
    expect(limiter.limit.limit).toBeLessThanOrEqual(10);
  });

  it('probes back up one request per window while it is held back, up to what the server accepted', async () => {
    const { clock, limiter, changes, take } = setup(6);
    const slots = await Promise.all(Array.from({ length: 6 }, () => take()));
    for (const slot of slots.slice(0, 4)) slot.release(answer(200));
    slots[4]!.release(answer(429));
    slots[5]!.release(answer(429));
    expect(limiter.limit.limit).toBe(3);
    // A steady stream of requests, each answered at once, for ten windows.
    let running = true;
    const stream = (async () => {
      while (running) (await take()).release(answer(200));
    })();
    for (let i = 0; i < 10; i++) await clock.advance(WINDOW);
    running = false;
    await clock.advance(2 * WINDOW);
    await stream;
    // 4 were accepted before the 429: the probe stops there, the server allows at least that.
    expect(changes.map((c) => `${c.reason}:${c.limit}`)).toEqual(['rate_limited:3', 'probe:4']);
    await flush();
  });
});
