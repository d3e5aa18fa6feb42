import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { boundFetch, type BoundFetch } from '../../../src/load/bound-fetch.js';

const ENV = '00000000-0000-4000-8000-000000000001';
const OTHER_ENV = '00000000-0000-4000-8000-000000000002';
const AUTH = { authorization: 'Bearer dyn_emulator_token' };
const T0 = 1_000_000;

// Two clients on loopback addresses (Linux routes all of 127.0.0.0/8 to lo), so the per-IP limit
// counts them apart while the environment limit counts them together.
let a: BoundFetch;
let b: BoundFetch;
beforeAll(async () => {
  [a, b] = await Promise.all([boundFetch('127.0.0.2'), boundFetch('127.0.0.3')]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

function bulk(emu: RunningEmulator, from: BoundFetch, email: string, env = ENV) {
  return from.fetch(`${emu.baseUrl}/environments/${env}/users/bulk`, {
    method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify([{ email }]),
  });
}

function list(emu: RunningEmulator, from: BoundFetch) {
  return from.fetch(`${emu.baseUrl}/environments/${ENV}/users`, { headers: AUTH });
}

async function answer(response: Promise<Response>): Promise<{ status: number; retryAfter: string | null; message?: string }> {
  const res = await response;
  const body = (await res.json()) as { message?: string };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ...(body.message ? { message: body.message } : {}) };
}

describe('the emulator\'s environment limit', () => {
  it('counts bulk and developer requests of all IPs in one sliding window; a refusal by either limit takes no slot of the other', async () => {
    const clock = { t: T0 };
    const emu = await startEmulator({ rateLimitPerMinute: 2, environmentRateLimit: 3, now: () => clock.t });
    try {
      expect((await bulk(emu, a, 'a1@x.io')).status).toBe(200);
      expect((await bulk(emu, a, 'a2@x.io')).status).toBe(200);
      // Over .2's own limit: refused by the per-IP limit, which takes no slot of the environment's...
      expect(await answer(bulk(emu, a, 'a3@x.io'))).toEqual({ status: 429, retryAfter: '60', message: 'Rate limit exceeded' });
      // ...so a developer request (no per-IP limit) still gets the environment's third slot.
      expect((await list(emu, a)).status).toBe(200);

      clock.t = T0 + 30_000;
      // The environment is full: .3, which has sent nothing, is refused too, bulk or not, until the
      // oldest of the three leaves the window (30 s).
      expect(await answer(bulk(emu, b, 'b1@x.io'))).toEqual({ status: 429, retryAfter: '30', message: 'Environment rate limit exceeded' });
      expect(await answer(list(emu, b))).toEqual({ status: 429, retryAfter: '30', message: 'Environment rate limit exceeded' });
      // Another environment has a window of its own.
      expect((await bulk(emu, b, 'other@x.io', OTHER_ENV)).status).toBe(200);

      clock.t = T0 + 60_000;
      // The environment's window is free again. .3's window holds only its other-environment grant
      // of T0+30 s: the refusal of b1 took no slot of it, so one more bulk request fits, not two.
      expect((await bulk(emu, b, 'b2@x.io')).status).toBe(200);
      expect(await answer(bulk(emu, b, 'b3@x.io'))).toMatchObject({ status: 429, message: 'Rate limit exceeded' });

      const stats = emu.stats();
      expect(stats).toMatchObject({ bulkRequests: 7, rateLimited: 3, environmentRateLimited: 2, usersStored: 4 });
      expect(stats.clients).toEqual({
        '127.0.0.2': { requests: 4, bulkRequests: 3, granted: 2, peakInWindow: 2, ipRateLimited: 1, environmentRateLimited: 0 },
        '127.0.0.3': { requests: 5, bulkRequests: 4, granted: 2, peakInWindow: 2, ipRateLimited: 1, environmentRateLimited: 2 },
      });
    } finally {
      await emu.close();
    }
  });

  it('is off by default: only the per-IP limit refuses', async () => {
    const emu = await startEmulator({ rateLimitPerMinute: 1 });
    try {
      expect((await bulk(emu, a, 'a@x.io')).status).toBe(200);
      expect((await bulk(emu, b, 'b@x.io')).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await list(emu, a)).status).toBe(200);
      expect(emu.stats()).toMatchObject({ environmentRateLimited: 0, rateLimited: 0 });
    } finally {
      await emu.close();
    }
  });

  it('keys clients by their IPv4 address on a dual-stack socket (::ffff:127.0.0.2 is 127.0.0.2)', async () => {
    const emu = await startEmulator({ host: '::', rateLimitPerMinute: 1 });
    try {
      const baseUrl = `http://127.0.0.1:${emu.port}/api/v0`;
      const send = (from: BoundFetch) => from.fetch(`${baseUrl}/environments/${ENV}/users`, { headers: AUTH });
      expect((await send(a)).status).toBe(200);
      expect(Object.keys(emu.stats().clients)).toEqual(['127.0.0.2']);
    } finally {
      await emu.close();
    }
  });
});
