import { listUsersResponseSchema } from '../contract/index.js';
import { LoadError } from '../errors.js';
import { isNetworkFailure, networkCode } from '../load/attempt-error.js';
import { defaultSleep, type RateLimiter, type Sleep } from '../load/rate-limiter.js';
import { redactToken } from '../load/redact-token.js';
import { backoffDelay, decideRetry, parseRetryAfter, type AttemptFailure } from '../load/retry-policy.js';
import { parseJson, serverReason } from '../load/server-answer.js';
import type { ApiUserRecord } from './target-user.js';

/** Options of {@link listTargetUsers}. */
export interface ListTargetUsersOptions {
  /** API root, e.g. `https://app.dynamicauth.com/api/v0`. */
  baseUrl: string;
  environmentId: string;
  /** Sent as a bearer token, never logged. */
  token: string;
  /** Every page request takes one slot; a 429 pauses it for everyone. */
  rateLimiter: RateLimiter;
  /** Users per page; the API allows at most 100. @default 100 */
  pageSize?: number;
  /** Retries per page on 429, 5xx and network errors. @default 8 */
  retries?: number;
  /** @default 60000 */
  requestTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default node:timers/promises setTimeout */
  sleep?: Sleep;
  /** @default 250 */
  minBackoffMs?: number;
  onRetry?: (info: { offset: number; attempt: number; delayMs: number; reason: string }) => void;
  signal?: AbortSignal;
}

/**
 * Streams every user of the environment through the list endpoint (`GET .../users?offset&limit`),
 * one page at a time, read-only. Retries follow the loader's table (429, 5xx, network errors and
 * timeouts retry, honouring `Retry-After`; 4xx do not). Offsets assume nobody deletes users while
 * we read: a deletion mid-listing can shift one page and hide a user, so run reconcile when no
 * one else is editing the environment.
 * @throws LoadError when a page cannot be read.
 */
export async function* listTargetUsers(options: ListTargetUsersOptions): AsyncGenerator<ApiUserRecord[]> {
  const pageSize = options.pageSize ?? 100;
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/environments/${encodeURIComponent(options.environmentId)}/users`;
  let offset = 0;
  for (;;) {
    const page = await fetchPage(`${endpoint}?offset=${offset}&limit=${pageSize}`, offset, options);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    offset += page.length;
  }
}

async function fetchPage(url: string, offset: number, options: ListTargetUsersOptions): Promise<ApiUserRecord[]> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const retries = options.retries ?? 8;
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json', 'user-agent': 'dynamic-migrate' };
  for (let attempt = 1; ; attempt++) {
    await options.rateLimiter.acquire(options.signal);
    const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 60_000);
    let failure: AttemptFailure;
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetchImpl(url, { headers, signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout });
      const text = await response.text();
      if (response.ok) {
        const parsed = listUsersResponseSchema.safeParse(parseJson(text));
        if (parsed.success) return parsed.data.users as ApiUserRecord[];
        failure = { kind: 'invalid_response' };
        reason = `a ${response.status} answer that is not a user list`;
      } else {
        failure = { kind: 'http', status: response.status };
        reason = `${response.status} ${redactToken(serverReason(text), options.token)}`.trim();
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) failure = { kind: 'timeout' };
      else if (isNetworkFailure(error)) failure = { kind: 'network', ...(networkCode(error) ? { code: networkCode(error) } : {}) };
      else throw new LoadError(`listing users failed: ${redactToken(String(error), options.token)}`, { code: 'request_failed' }, { cause: error });
      reason = failure.kind === 'timeout' ? 'timed out' : `network error (${networkCode(error) ?? 'connection failed'})`;
    }
    const decision = decideRetry(failure);
    const status = failure.kind === 'http' ? failure.status : undefined;
    if (!decision.retry || attempt > retries) {
      const hint = status === 401 || status === 403 || status === 404 ? ': check DYNAMIC_API_TOKEN, DYNAMIC_ENVIRONMENT_ID and DYNAMIC_API_URL' : '';
      throw new LoadError(`listing users at offset ${offset} failed after ${attempt} attempt(s): ${reason}${hint}`, {
        attempt, code: decision.code, ...(status !== undefined ? { status } : {}),
      });
    }
    const delayMs = backoffDelay(attempt, { retryAfterMs, minBackoffMs: options.minBackoffMs });
    // The limit is per IP: when the server says wait, every request waits.
    if (status === 429) options.rateLimiter.pauseFor(delayMs);
    options.onRetry?.({ offset, attempt, delayMs, reason });
    await sleep(delayMs, options.signal);
  }
}
