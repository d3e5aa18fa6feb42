import { describe, expect, it } from 'vitest';
import { RateLimiter, defaultSleep } from '../../../src/load/index.js';
import { FakeClock, flush } from './fake-clock.js';

const WINDOW = 60_000;

function setup(perMinute: number, safetyMarginMs = 50) {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ perMinute, safetyMarginMs, now: clock.now, sleep: clock.sleep });
  const grants: { id: number; at: number }[] = [];
  const request = (id: number, signal?: AbortSignal) =>
    limiter.acquire(signal).then((slot) => {
      grants.push({ id, at: clock.now() });
      slot.release(); // answered at once: the slot frees a window after its grant
    });
  return { clock, limiter, grants, request };
}

describe('RateLimiter', () => {
  it('bursts to the full N at once, then never lets N+1 grants into any 60 s window', async () => {
    const { clock, grants, request } = setup(5);
    const all = Array.from({ length: 23 }, (_, i) => request(i));
    await flush();
    expect(grants.map((g) => g.at)).toEqual([0, 0, 0, 0, 0]);

    await clock.advance(5 * WINDOW);
    await Promise.all(all);
    expect(grants).toHaveLength(23);
    for (let i = 0; i + 5 < grants.length; i++) {
      // The (i+5)th grant comes strictly more than a window after the ith: at most 5 per window.
      expect(grants[i + 5]!.at - grants[i]!.at).toBeGreaterThan(WINDOW);
    }
    // ...and no slower than needed: each later grant is exactly one window + margin after its slot.
    expect(grants[5]!.at).toBe(WINDOW + 50);
    expect(grants[10]!.at).toBe(2 * (WINDOW + 50));
  });

  it('reaches N per window with a trickle of requests, too', async () => {
    const { clock, grants, request } = setup(3);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 9; i++) {
      pending.push(request(i));
      await clock.advance(1_000);
    }
    await clock.advance(3 * WINDOW);
    await Promise.all(pending);
    const at = grants.map((g) => g.at);
    expect(at).toEqual([0, 1000, 2000, 60_050, 61_050, 62_050, 120_100, 121_100, 122_100]);
  });

  it('serves waiters first come, first served', async () => {
    const { clock, grants, request } = setup(2);
    const all = [7, 3, 9, 1, 5, 2].map((id) => request(id));
    await clock.advance(3 * WINDOW);
    await Promise.all(all);
    expect(grants.map((g) => g.id)).toEqual([7, 3, 9, 1, 5, 2]);
  });

  it('rejects an aborted waiter with its reason and keeps serving the others, in order', async () => {
    const { clock, grants, request } = setup(1);
    const controller = new AbortController();
    const first = request(1);
    const second = request(2, controller.signal);
    const third = request(3);
    await flush();
    controller.abort(new Error('stop'));
    await expect(second).rejects.toThrow('stop');
    await clock.advance(3 * WINDOW);
    await Promise.all([first, third]);
    expect(grants).toEqual([{ id: 1, at: 0 }, { id: 3, at: WINDOW + 50 }]);
  });

  it('rejects at once when the signal is already aborted, without using a slot', async () => {
    const { grants, request } = setup(1);
    await expect(request(1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    await request(2);
    expect(grants).toEqual([{ id: 2, at: 0 }]);
  });

  it('stops its timer when every waiter has aborted', async () => {
    const { clock, request } = setup(1);
    await request(1);
    const controller = new AbortController();
    const waiting = request(2, controller.signal);
    await flush();
    expect(clock.pending).toBe(1);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    await flush();
    expect(clock.pending).toBe(0);
  });

  it('pauseFor holds every request, queued and new, until the pause ends', async () => {
    const { clock, limiter, grants, request } = setup(100);
    await request(1);
    limiter.pauseFor(10_000);
    const queued = [request(2), request(3)];
    await clock.advance(9_999);
    expect(grants).toHaveLength(1);
    await clock.advance(1);
    await Promise.all(queued);
    expect(grants.map((g) => g.at)).toEqual([0, 10_000, 10_000]);
    limiter.pauseUntil(5_000); // an earlier end never shortens nor resurrects a pause
    await request(4);
    expect(grants.at(-1)).toEqual({ id: 4, at: 10_000 });
  });

  it('perMinute 0 is unlimited but still honours a pause', async () => {
    const { clock, limiter, grants, request } = setup(0);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => request(i)));
    expect(grants).toHaveLength(1000);
    expect(grants.every((g) => g.at === 0)).toBe(true);
    limiter.pauseFor(2_000);
    const later = request(1000);
    await clock.advance(2_000);
    await later;
    expect(grants.at(-1)!.at).toBe(2_000);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => new RateLimiter({ perMinute: -1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ perMinute: 1.5 })).toThrow(RangeError);
  });

  it('uses a real sleep that rejects with the abort reason of its signal', async () => {
    const controller = new AbortController();
    const sleeping = defaultSleep(60_000, controller.signal);
    controller.abort(new Error('run cancelled'));
    await expect(sleeping).rejects.toThrow('run cancelled');
    await expect(defaultSleep(1)).resolves.toBeUndefined();
  });
});
