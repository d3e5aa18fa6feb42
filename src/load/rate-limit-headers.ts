import { parseRetryAfter } from './retry-policy.js';

/** The part of `Headers` we read; a plain object with `get` does for tests. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** A limit a server announced: `limit` requests per `windowMs` (when it said which window). */
export interface ServerLimit {
  limit: number;
  windowMs?: number;
}

/**
 * Reads `RateLimit-Limit` (IETF draft) or `X-RateLimit-Limit`, and the window from
 * `RateLimit-Policy: 150;w=60` or a `;w=` on the limit itself. Dynamic does not document these
 * headers (only 429 + `Retry-After`), so absence is normal: the limiter then estimates the limit.
 * Undefined when absent, unreadable or below 1.
 */
export function readServerLimit(headers: HeaderReader): ServerLimit | undefined {
  const raw = headers.get('ratelimit-limit') ?? headers.get('x-ratelimit-limit');
  const match = raw == null ? null : /^\s*(\d+)/.exec(raw);
  const limit = Number(match?.[1] ?? Number.NaN);
  if (!Number.isSafeInteger(limit) || limit < 1) return undefined;
  const window = /;\s*w\s*=\s*(\d+(?:\.\d+)?)/.exec(headers.get('ratelimit-policy') ?? raw ?? '');
  return window?.[1] ? { limit, windowMs: Math.round(Number(window[1]) * 1000) } : { limit };
}

/**
 * How long a 429 asks us to wait: `Retry-After`, else the draft's `RateLimit-Reset` (delta
 * seconds). `X-RateLimit-Reset` is left alone: servers disagree on whether it is a delta or an epoch.
 */
export function readRetryAfterMs(headers: HeaderReader, now: number = Date.now()): number | undefined {
  return parseRetryAfter(headers.get('retry-after'), now) ?? parseRetryAfter(headers.get('ratelimit-reset'), now);
}
