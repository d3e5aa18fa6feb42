import { LoadError } from '../errors.js';
import { isNetworkFailure, networkCode } from './attempt-error.js';
import { readRetryAfterMs } from './rate-limit-headers.js';
import { defaultSleep, type RateLimiter, type Sleep } from './rate-limiter.js';
import { redactToken } from './redact-token.js';
import { backoffDelay, decideRetry, type AttemptFailure } from './retry-policy.js';
import { serverReason } from './server-answer.js';

/** Options shared by the requests to Dynamic's developer endpoints (list, get, delete users). */
export interface DeveloperRequestOptions {
  /** API root, e.g. `https://app.dynamicauth.com/api/v0`. */
  baseUrl: string;
  environmentId: string;
  /** Sent as a bearer token, never logged. */
  token: string;
  /** Every attempt holds one slot until its answer is in; a 429 pauses it for everyone. */
  rateLimiter: RateLimiter;
  /** Retries on 429, 5xx, network errors and timeouts. @default 8 */
  retries?: number;
  /** @default 60000 */
  requestTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default node:timers/promises setTimeout */
  sleep?: Sleep;
  /** @default 250 */
  minBackoffMs?: number;
  onRetry?: (info: { attempt: number; status?: number; delayMs: number; reason: string }) => void;
  signal?: AbortSignal;
}

/** What one answer means to the caller: done with a value, or a failure for the retry table. */
export type AnswerReading<T> = { done: T } | { failure: AttemptFailure; reason: string };

/**
 * One request to a developer endpoint, retried as the loader's bulk requests are: 429, 5xx,
 * network errors and timeouts retry with backoff, honouring `Retry-After`; other 4xx do not.
 * `read` turns a received answer into a value, or into a failure (`http` failures are retried or
 * not by status). `what` names the request in errors ("listing users at offset 200").
 * @throws LoadError when it cannot succeed (401/403/404 and other 4xx, retries exhausted).
 */
export async function developerRequest<T>(
  path: string,
  init: { method?: string; what: string },
  read: (response: Response, text: string) => AnswerReading<T>,
  options: DeveloperRequestOptions,
): Promise<T> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/environments/${encodeURIComponent(options.environmentId)}${path}`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const retries = options.retries ?? 8;
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json', 'user-agent': 'dynamic-migrate' };
  for (let attempt = 1; ; attempt++) {
    const slot = await options.rateLimiter.acquire(options.signal);
    const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 60_000);
    let failure: AttemptFailure;
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      const response = await fetchImpl(url, { method: init.method ?? 'GET', headers, signal });
      const text = await response.text();
      slot.release({ status: response.status, headers: response.headers });
      const reading = read(response, text);
      if ('done' in reading) return reading.done;
      ({ failure, reason } = reading);
      if (failure.kind === 'http') {
        reason = `${response.status} ${redactToken(serverReason(text), options.token)}`.trim();
        retryAfterMs = readRetryAfterMs(response.headers);
      }
    } catch (error) {
      slot.release(); // no answer (or already released: a no-op)
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) failure = { kind: 'timeout' };
      else if (isNetworkFailure(error)) failure = { kind: 'network', ...(networkCode(error) ? { code: networkCode(error) } : {}) };
      else throw new LoadError(`${init.what} failed: ${redactToken(String(error), options.token)}`, { code: 'request_failed' }, { cause: error });
      reason = failure.kind === 'timeout' ? 'timed out' : `network error (${networkCode(error) ?? 'connection failed'})`;
    }
    const decision = decideRetry(failure);
    const status = failure.kind === 'http' ? failure.status : undefined;
    if (!decision.retry || attempt > retries) {
      const hint = status === 401 || status === 403 || status === 404 ? ': check DYNAMIC_API_TOKEN, DYNAMIC_ENVIRONMENT_ID and DYNAMIC_API_URL' : '';
      throw new LoadError(`${init.what} failed after ${attempt} attempt(s): ${reason}${hint}`, {
        attempt, code: decision.code, ...(status !== undefined ? { status } : {}),
      });
    }
    const delayMs = backoffDelay(attempt, { retryAfterMs, minBackoffMs: options.minBackoffMs });
    // The limit is per IP: when the server says wait, every request waits.
    if (status === 429) options.rateLimiter.pauseFor(delayMs);
    options.onRetry?.({ attempt, delayMs, reason, ...(status !== undefined ? { status } : {}) });
    await sleep(delayMs, options.signal);
  }
}

/** A non-2xx answer, for the retry table to judge by its status. */
export function httpFailure(response: Response): { failure: AttemptFailure; reason: string } {
  return { failure: { kind: 'http', status: response.status }, reason: String(response.status) };
}
