import { describe, expect, it } from 'vitest';
import { createTargetComparison } from '../../../src/compare/index.js';
import { RateLimiter } from '../../../src/load/index.js';
import type { MapResult } from '../../../src/mapping/index.js';

const ENV = '0f0e0d0c-0b0a-4909-8807-060504030201';
const mapped = (legacyId: string, payload: Record<string, unknown>): MapResult => ({ ok: true, legacyId, payload }) as MapResult;

/** A fake list endpoint: who holds which email/username (lower-case), with which legacy id. */
function fakeFetch(holders: Record<string, { email?: string; username?: string; legacyId?: string }>, log: string[]) {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    log.push(`${init?.method ?? 'GET'} ${url.searchParams.get('filter[filterColumn]')}`);
    const value = (url.searchParams.get('filter[filterValue]') ?? '').toLowerCase();
    const users = Object.values(holders)
      .filter((user) => (user.email ?? user.username ?? '').toLowerCase().includes(value))
      .map((user, i) => ({ id: `u${i}`, email: user.email ?? null, username: user.username ?? null, metadata: user.legacyId ? { legacyId: user.legacyId } : {} }));
    return new Response(JSON.stringify({ count: users.length, users }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

const requestOptions = (fetchImpl: typeof fetch) => ({
  baseUrl: 'http://dynamic.test/api/v0', environmentId: ENV, token: 't', rateLimiter: new RateLimiter({ perMinute: 0 }), fetch: fetchImpl,
});

describe('createTargetComparison', () => {
  it('predicts per user with GETs only, case-insensitively, and keeps legacy ids as examples', async () => {
    const log: string[] = [];
    const fake = fakeFetch({
      ours: { email: 'Ann@Example.org', legacyId: '1' },
      foreign: { email: 'bob@example.org' },
      // A loose (substring) match in the API must not count: only the whole value does.
      loose: { email: 'jocarl@example.org', legacyId: '99' },
      named: { username: 'dee', legacyId: '4' },
    }, log);
    const comparison = createTargetComparison({ request: requestOptions(fake), legacyIdKey: 'legacyId', concurrency: 2, queueSize: 2 });
    for (const result of [
      mapped('1', { email: 'ann@example.org' }),
      mapped('2', { email: 'bob@example.org' }),
      mapped('3', { email: 'carl@example.org' }),
      mapped('4', { username: 'DEE' }),
      mapped('5', { wallets: [] }),
      { ok: false, legacyId: '6', rejections: [] } as unknown as MapResult,
    ]) await comparison.offer(result);
    const target = await comparison.finish();
    expect(target).toEqual({ compared: 4, create: 1, update: 2, conflict: 1, notCompared: 1, examples: { conflict: ['2'], update: ['1', '4'] } });
    expect(log.every((line) => line.startsWith('GET '))).toBe(true);
    expect(log).toContain('GET username');
  });

  it('stops on a lookup that cannot succeed, counts the rest as not compared, and says why', async () => {
    const refusing = (async () => new Response('{"error":"unauthorized"}', { status: 401 })) as typeof fetch;
    const warnings: string[] = [];
    const comparison = createTargetComparison({ request: requestOptions(refusing), legacyIdKey: 'legacyId', concurrency: 1, warn: (m) => warnings.push(m) });
    for (let i = 1; i <= 5; i++) await comparison.offer(mapped(String(i), { email: `u${i}@example.org` }));
    const target = await comparison.finish();
    expect(target.compared).toBe(0);
    expect(target.notCompared).toBe(5);
    expect(target.error).toMatch(/401/);
    expect(warnings).toHaveLength(1);
  });

  it('bounds its queue: offer waits while the queue is full', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = (async () => {
      await gate;
      return new Response('{"count":0,"users":[]}', { status: 200 });
    }) as typeof fetch;
    const comparison = createTargetComparison({ request: requestOptions(slow), legacyIdKey: 'legacyId', concurrency: 1, queueSize: 2 });
    expect(comparison.offer(mapped('1', { email: 'a@x.io' }))).toBeUndefined(); // taken by the worker
    expect(comparison.offer(mapped('2', { email: 'b@x.io' }))).toBeUndefined();
    const waiting = comparison.offer(mapped('3', { email: 'c@x.io' }));
    expect(waiting).toBeInstanceOf(Promise);
    release();
    await waiting;
    expect((await comparison.finish()).create).toBe(3);
  });
});
