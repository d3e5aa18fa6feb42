import { describe, expect, it } from 'vitest';
import { ClientRateLimit } from '../../../src/emulator/client-rate-limit.js';

function limiter(perWindow: number) {
  const clock = { t: 1_000_000 };
  return { clock, limit: new ClientRateLimit({ perWindow, now: () => clock.t }) };
}

describe('ClientRateLimit', () => {
  it('grants perWindow requests in a sliding 60 s window, then says when a slot frees', () => {
    const { clock, limit } = limiter(3);
    expect(limit.tryAcquire('a')).toEqual({ allowed: true }); // t0
    clock.t += 10_000;
    expect(limit.tryAcquire('a')).toEqual({ allowed: true }); // t0+10s
    clock.t += 10_000;
    expect(limit.tryAcquire('a')).toEqual({ allowed: true }); // t0+20s
    clock.t += 5_500;
    // Oldest grant (t0) frees at t0+60s: 34.5 s from now, rounded up.
    expect(limit.tryAcquire('a')).toEqual({ allowed: false, retryAfterSeconds: 35 });
    clock.t = 1_000_000 + 60_000;
    expect(limit.tryAcquire('a')).toEqual({ allowed: true });
    expect(limit.tryAcquire('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('does not let refused requests take slots', () => {
    const { clock, limit } = limiter(1);
    limit.tryAcquire('a');
    for (let i = 0; i < 50; i++) {
      clock.t += 1_000;
      expect(limit.tryAcquire('a').allowed).toBe(false);
    }
    clock.t = 1_000_000 + 60_000;
    expect(limit.tryAcquire('a').allowed).toBe(true);
  });

  it('never advises less than one second, and counts clients apart', () => {
    const { clock, limit } = limiter(1);
    limit.tryAcquire('a');
    clock.t += 59_999;
    expect(limit.tryAcquire('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limit.tryAcquire('b')).toEqual({ allowed: true });
  });

  it('check answers as tryAcquire would, taking no slot; inWindow counts the grants in the window', () => {
    const { clock, limit } = limiter(2);
    expect(limit.check('a')).toEqual({ allowed: true });
    expect(limit.inWindow('a')).toBe(0);
    limit.tryAcquire('a');
    clock.t += 20_000;
    limit.tryAcquire('a');
    expect(limit.inWindow('a')).toBe(2);
    for (let i = 0; i < 3; i++) expect(limit.check('a')).toEqual({ allowed: false, retryAfterSeconds: 40 });
    clock.t = 1_000_000 + 60_000;
    expect(limit.inWindow('a')).toBe(1);
    expect(limit.check('a')).toEqual({ allowed: true });
    expect(limit.check('a')).toEqual({ allowed: true }); // still free: check took nothing
    expect(limit.tryAcquire('a')).toEqual({ allowed: true });
    expect(limit.check('a').allowed).toBe(false);
    expect(new ClientRateLimit({ perWindow: 0 }).inWindow('a')).toBe(0);
  });

  it('treats 0 as unlimited', () => {
    const { limit } = limiter(0);
    for (let i = 0; i < 1000; i++) expect(limit.tryAcquire('a').allowed).toBe(true);
  });

  it('announces its limit, what is left and when the oldest request leaves the window, in headers', () => {
    const clock = { t: 1_000_000 };
    const limit = new ClientRateLimit({ perWindow: 3, windowMs: 4_000, now: () => clock.t });
    limit.tryAcquire('a');
    clock.t += 1_500;
    limit.tryAcquire('a');
    expect(limit.headers('a')).toEqual({
      'ratelimit-limit': '3', 'ratelimit-remaining': '1', 'ratelimit-reset': '3', 'ratelimit-policy': '3;w=4',
      'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': String(Math.ceil((1_000_000 + 4_000) / 1000)),
    });
    limit.tryAcquire('a');
    expect(limit.tryAcquire('a').allowed).toBe(false);
    expect(limit.headers('a')).toMatchObject({ 'ratelimit-remaining': '0' });
    expect(limit.headers('b')).toMatchObject({ 'ratelimit-remaining': '3', 'ratelimit-reset': '0' });
    expect(new ClientRateLimit({ perWindow: 0 }).headers('a')).toEqual({});
  });
});
