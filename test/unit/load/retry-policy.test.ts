import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  backoffDelay,
  decideRetry,
  isNetworkFailure,
  networkCode,
  parseRetryAfter,
  redactToken,
} from '../../../src/load/index.js';

describe('decideRetry', () => {
  it.each([
    [429, true, false, 'rate_limited'],
    [500, true, true, 'server_error'],
    [502, true, true, 'bad_gateway'],
    [503, true, true, 'service_unavailable'],
    [504, true, true, 'gateway_timeout'],
    [507, true, true, 'server_error'],
    [400, false, false, 'bad_request'],
    [401, false, false, 'unauthorized'],
    [403, false, false, 'forbidden'],
    [404, false, false, 'not_found'],
    [422, false, false, 'bad_request'],
    [409, false, false, 'http_409'],
    [418, false, false, 'http_418'],
  ])('HTTP %i: retry=%s, may have landed=%s, code %s', (status, retry, mayHaveLanded, code) => {
    expect(decideRetry({ kind: 'http', status })).toEqual({ retry, mayHaveLanded, code });
  });

  it('retries network errors, timeouts and garbled 2xx bodies, replaying them with upsert', () => {
    for (const failure of [
      { kind: 'network', code: 'ECONNRESET' },
      { kind: 'timeout' },
      { kind: 'invalid_response' },
    ] as const) {
      expect(decideRetry(failure)).toMatchObject({ retry: true, mayHaveLanded: true });
    }
  });
});

describe('backoffDelay', () => {
  it('grows exponentially from the minimum up to the cap', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, {}, top)).toBe(250);
    expect(backoffDelay(2, {}, top)).toBe(500);
    expect(backoffDelay(3, {}, top)).toBe(1000);
    expect(backoffDelay(8, {}, top)).toBe(30_000);
    expect(backoffDelay(50, {}, top)).toBe(30_000);
  });

  it('jitters over the whole range between the minimum and the ceiling', () => {
    expect(backoffDelay(4, {}, () => 0)).toBe(250);
    expect(backoffDelay(4, {}, () => 0.5)).toBe(250 + Math.round(0.5 * (2000 - 250)));
    const samples = Array.from({ length: 200 }, () => backoffDelay(6));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('takes overrides', () => {
    expect(backoffDelay(3, { minBackoffMs: 10, maxBackoffMs: 25, factor: 3 }, () => 1)).toBe(25);
    expect(backoffDelay(2, { minBackoffMs: 10, maxBackoffMs: 1000, factor: 3 }, () => 1)).toBe(30);
  });

  it('waits at least as long as Retry-After', () => {
    expect(backoffDelay(1, { retryAfterMs: 7_000 }, () => 0.5)).toBe(7_000);
    expect(backoffDelay(9, { retryAfterMs: 1_000 }, () => 1)).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta seconds, fractional too', () => {
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values and clamps absurd ones', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('network failure classification', () => {
  it('recognises undici transport failures by message or cause code', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isNetworkFailure(new TypeError('fetch failed', { cause: reset }))).toBe(true);
    expect(networkCode(new TypeError('fetch failed', { cause: reset }))).toBe('ECONNRESET');
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(isNetworkFailure(new TypeError('terminated', { cause: socket }))).toBe(true);
    expect(networkCode(new TypeError('terminated', { cause: socket }))).toBe('UND_ERR_SOCKET');
  });

  it('does not mistake a programming error for a network failure', () => {
    expect(isNetworkFailure(new TypeError('Failed to parse URL from nope'))).toBe(false);
    expect(isNetworkFailure(new RangeError('x'))).toBe(false);
    expect(isNetworkFailure('fetch failed')).toBe(false);
  });
});

describe('redactToken', () => {
  it('removes the token and any bearer credential', () => {
    const token = 'dyn_s3cr3tT0ken';
    expect(redactToken(`bad token ${token} here`, token)).toBe('bad token [redacted] here');
    expect(redactToken('Authorization: Bearer abc.def', token)).toBe('Authorization: Bearer [redacted]');
    expect(redactToken('nothing to hide', undefined)).toBe('nothing to hide');
  });
});
