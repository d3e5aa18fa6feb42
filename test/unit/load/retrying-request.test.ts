import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../src/errors.js';
import { RateLimiter, createBulkClient, type RetryInfo } from '../../../src/load/index.js';
import { developerRequest, httpFailure, type DeveloperRequestOptions } from '../../../src/load/developer-request.js';
import { FakeClock, flush } from './fake-clock.js';

const TOKEN = 'dyn_unit_secret_token';
const ENV = '0f0e0d0c-0b0a-4909-8807-060504030201';
const BULK_OK = JSON.stringify({ created: [], updated: [], failed: [], total: 0 });

type Scripted = { status: number; body?: string; headers?: Record<string, string> };
const tooMany = (retryAfterSeconds: number): Scripted => ({
  status: 429, body: '{"message":"Rate limit exceeded","code":429}', headers: { 'retry-after': String(retryAfterSeconds) },
});

/** A fetch answering from a script (the last entry repeats), recording when each request went out. */
function scriptedFetch(clock: FakeClock, script: Scripted[]) {
  const sentAt: number[] = [];
  const fetch = (async () => {
    const next = script[Math.min(sentAt.length, script.length - 1)]!;
    sentAt.push(clock.now());
    return new Response(next.body ?? null, { status: next.status, headers: next.headers ?? {} });
  }) as typeof globalThis.fetch;
  return { fetch, sentAt };
}

function setup(script: Scripted[], overrides: Partial<DeveloperRequestOptions> = {}) {
  const clock = new FakeClock();
  const rateLimiter = new RateLimiter({ perMinute: 0, now: clock.now, sleep: clock.sleep });
  const { fetch, sentAt } = scriptedFetch(clock, script);
  const retries: RetryInfo[] = [];
  const options: DeveloperRequestOptions = {
    baseUrl: 'http://dynamic.test/api/v0', environmentId: ENV, token: TOKEN, rateLimiter, fetch,
    sleep: clock.sleep, minBackoffMs: 100, onRetry: (info) => retries.push(info), ...overrides,
  };
  const deleteUser = () => developerRequest('/users/u1', { method: 'DELETE', what: 'deleting user u1' }, (response) =>
    (response.ok ? { done: 'deleted' } : httpFailure(response)), options);
  const bulk = () => createBulkClient(options).send([{ email: 'ann@example.org' }], { upsert: false, ...(options.signal ? { signal: options.signal } : {}) });
  return { clock, sentAt, retries, deleteUser, bulk };
}

/** Settles `promise` while the fake clock runs, a second at a time. */
async function settle(clock: FakeClock, promise: Promise<unknown>, maxMs = 10 * 60_000): Promise<unknown> {
  let outcome: { value: unknown } | { error: unknown } | undefined;
  promise.then((value) => { outcome = { value }; }, (error: unknown) => { outcome = { error }; });
  for (let waited = 0; outcome === undefined && waited < maxMs; waited += 1000) await clock.advance(1000);
  await flush();
  if (outcome === undefined) throw new Error('still pending');
  return 'value' in outcome ? outcome.value : outcome.error;
}

describe('one retry engine for every request', () => {
  describe.each([
    ['a delete (developer endpoint)', 'deleteUser', { status: 204 }],
    ['a bulk create', 'bulk', { status: 201, body: BULK_OK }],
  ] as const)('%s', (_name, request, success) => {
    it('rides out a burst of 429s without using up its retries, each time waiting as long as Retry-After says', async () => {
      const { clock, sentAt, retries, ...requests } = setup([...Array.from({ length: 6 }, () => tooMany(2)), success], { retries: 1 });
      const answer = await settle(clock, requests[request]());
      expect(answer).not.toBeInstanceOf(Error);
      expect(sentAt).toHaveLength(7);
      // The limiter is paused for the Retry-After, so no retry goes out before it has passed.
      for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(2000);
      expect(retries.map((info) => [info.status, info.delayMs])).toEqual(Array.from({ length: 6 }, () => [429, 2000]));
    });

    it('rides out a 429 with --retries 0, and after its retries went on 5xx: a free 429 costs nothing', async () => {
      const none = setup([tooMany(1), success], { retries: 0 });
      expect(await settle(none.clock, none[request]())).not.toBeInstanceOf(Error);
      expect(none.sentAt).toHaveLength(2);
      const spent = setup([{ status: 503 }, tooMany(1), success], { retries: 1 });
      expect(await settle(spent.clock, spent[request]())).not.toBeInstanceOf(Error);
      expect(spent.sentAt).toHaveLength(3);
    });

    it('counts 429s beyond rateLimitRetries against retries, then reports exhaustion', async () => {
      const { clock, sentAt, ...requests } = setup([tooMany(1)], { retries: 1, rateLimitRetries: 2 });
      const error = await settle(clock, requests[request]());
      expect(error).toBeInstanceOf(LoadError);
      expect((error as LoadError).details).toMatchObject({ code: 'retries_exhausted', status: 429, attempt: 4 });
      expect(sentAt).toHaveLength(4); // two free 429s, one retry used, then none left
    });

    it('uses up a retry on each 5xx, backing off at least as long as its Retry-After', async () => {
      const { clock, sentAt, retries, ...requests } = setup([{ status: 503, body: '{"error":"busy"}', headers: { 'retry-after': '5' } }], { retries: 2 });
      const error = await settle(clock, requests[request]());
      expect((error as LoadError).details).toMatchObject({ code: 'retries_exhausted', status: 503, attempt: 3 });
      expect(sentAt).toHaveLength(3);
      expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(5000);
      expect(retries.map((info) => info.delayMs)).toEqual([5000, 5000]);
    });

    it('stops at once on a 401, without echoing the token', async () => {
      const { clock, sentAt, retries, ...requests } = setup([{ status: 401, body: JSON.stringify({ error: `bad token ${TOKEN}` }) }]);
      const error = await settle(clock, requests[request]());
      expect(error).toBeInstanceOf(LoadError);
      expect((error as LoadError).details.status).toBe(401);
      expect((error as LoadError).message).toMatch(/DYNAMIC_API_TOKEN/);
      expect((error as LoadError).message).not.toContain(TOKEN);
      expect(sentAt).toHaveLength(1);
      expect(retries).toEqual([]);
    });

    it('gives up while paused by a 429 when the signal aborts, with the signal\'s reason', async () => {
      const controller = new AbortController();
      const { clock, sentAt, ...requests } = setup([tooMany(60)], { signal: controller.signal });
      const pending = requests[request]();
      pending.catch(() => undefined);
      await clock.advance(1000);
      controller.abort(new Error('run cancelled'));
      const error = await settle(clock, pending);
      expect((error as Error).message).toBe('run cancelled');
      expect(sentAt).toHaveLength(1);
    });
  });
});
