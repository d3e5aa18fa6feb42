import { describe, expect, it } from 'vitest';
import { RateLimiter, type SharedBudget } from '../../../src/load/rate-limiter.js';

/** A shared budget the test opens and closes by hand, recording who asked. */
function gate(): SharedBudget & { asked: number; open(): void; refuse(error: Error): void } {
  let waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    asked: 0,
    acquire() {
      this.asked += 1;
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    open() {
      for (const w of waiting) w.resolve();
      waiting = [];
    },
    refuse(error) {
      for (const w of waiting) w.reject(error);
      waiting = [];
    },
  };
}

describe('RateLimiter with a shared budget', () => {
  it('grants only once the shared budget has, after its own slot', async () => {
    const shared = gate();
    const limiter = new RateLimiter({ perMinute: 2, shared });
    let granted = false;
    const slot = limiter.acquire().then((s) => ((granted = true), s));
    await new Promise((resolve) => setImmediate(resolve));
    expect(shared.asked).toBe(1);
    expect(granted).toBe(false);
    shared.open();
    (await slot).release({ status: 201 });
    expect(granted).toBe(true);
  });

  it('fails the request when the shared budget refuses (its own slot counts as sent: it may not be reused early)', async () => {
    const shared = gate();
    const limiter = new RateLimiter({ perMinute: 2, shared });
    const first = limiter.acquire();
    await new Promise((resolve) => setImmediate(resolve));
    shared.refuse(new Error('state database unreachable'));
    await expect(first).rejects.toThrow('state database unreachable');
    // The second of the window's two slots is still there; a third request waits for the window.
    const second = limiter.acquire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(shared.asked).toBe(2);
    shared.open();
    await expect(second).resolves.toBeDefined();
    expect(limiter.waitTime()).toBeGreaterThan(0);
  });
});
