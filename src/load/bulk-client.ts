import pRetry, { AbortError } from 'p-retry';
import { MAX_BATCH_SIZE, bulkResponseSchema } from '../contract/index.js';
import type { BulkResponse, UserPayload } from '../contract/index.js';
import { LoadError } from '../errors.js';
import { AttemptError, isNetworkFailure, networkCode } from './attempt-error.js';
import { describeLimitChange } from './adaptive-limit.js';
import { readRetryAfterMs } from './rate-limit-headers.js';
import { defaultSleep, type RateLimiter, type RateSlot, type Sleep } from './rate-limiter.js';
import { redactToken } from './redact-token.js';
import { backoffDelay, decideRetry } from './retry-policy.js';
import { fatalMessage, parseJson, serverReason, snippet } from './server-answer.js';

/** What `onRetry` hears before each retry. `attempt` is the attempt that just failed (1-based). */
export interface RetryInfo { attempt: number; status?: number; delayMs: number; reason: string }

export interface SendOptions {
  upsert: boolean;
  /** Aborts everything, including a request on the wire. */
  signal?: AbortSignal;
  /**
   * Aborts only the waits (backoff, rate-limit slot), never a request already sent: on Ctrl-C a
   * batch still waiting is given up (and replayed next run), while one on the wire gets its answer.
   */
  waitSignal?: AbortSignal;
}

export interface BulkClientOptions {
  /** API root, e.g. `https://app.dynamicauth.com/api/v0` (no trailing `/environments`). */
  baseUrl: string;
  environmentId: string;
  /** Environment API token; sent as a bearer token, never logged. */
  token: string;
  /** Shared by every request of the run: each attempt holds one slot until its answer is in. */
  rateLimiter: RateLimiter;
  /** Retries after the first attempt (429s up to `rateLimitRetries` do not count). @default 8 */
  retries?: number;
  /** 429s that do not use up `retries`: the server told us exactly when to come back. @default 30 */
  rateLimitRetries?: number;
  /** Per attempt, response body included. @default 60000 */
  requestTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  onRetry?: (info: RetryInfo) => void;
  /** Called as each attempt goes out (after its rate-limit slot), e.g. to show requests/min. */
  onAttempt?: () => void;
  /** @default 250 */
  minBackoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
  /** @default 'dynamic-migrate' */
  userAgent?: string;
  /** Waits between attempts. @default node:timers/promises setTimeout */
  sleep?: Sleep;
}

/** A bulk request's answer, and whether an earlier attempt of it may have stored users too. */
export interface BulkAnswer {
  response: BulkResponse;
  /**
   * An attempt before the answered one ended without a usable answer after the server may have
   * done the work (network error, 5xx, timeout, garbled 2xx): users the answer reports as already
   * existing may be the ones that attempt created.
   */
  mayHaveLanded: boolean;
}

export interface BulkClient {
  /**
   * Sends 1 to 50 users in one bulk request, retrying 429/5xx/network errors/timeouts. Every
   * attempt sends the same body with the same `upsert`: a retry never switches to upsert, since
   * upsert could merge a user into an account someone else holds. Whether an attempt may have
   * stored users is reported (`mayHaveLanded`) for the caller to resolve.
   * Throws `LoadError` (401/403/400/422/other 4xx, or retries exhausted: `details.mayHaveLanded`
   * says whether the batch is in doubt), or the signal's reason.
   */
  send(users: UserPayload[], options: SendOptions): Promise<BulkAnswer>;
}

/** Creates the client for Dynamic's `POST /environments/:id/users/bulk`. */
export function createBulkClient(options: BulkClientOptions): BulkClient {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/environments/${encodeURIComponent(options.environmentId)}/users/bulk`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const redact = (text: string) => redactToken(text, options.token);
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': options.userAgent ?? 'dynamic-migrate',
  };
  const sleep: Sleep = options.sleep ?? defaultSleep;

  async function attemptOnce(body: string, upsert: boolean, attempt: number, slot: RateSlot, signal?: AbortSignal): Promise<BulkResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const url = upsert ? `${endpoint}?upsert=true` : endpoint;
    let status: number;
    let text: string;
    let retryAfterMs: number | undefined;
    let rateNote = '';
    try {
      const response = await fetchImpl(url, {
        method: 'POST', headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = response.status;
      retryAfterMs = readRetryAfterMs(response.headers);
      text = await response.text();
      const change = slot.release({ status, headers: response.headers });
      if (change) rateNote = `; ${describeLimitChange(change)}`;
    } catch (error) {
      if (signal?.aborted) throw new AbortError(asError(signal.reason));
      if (timeout.aborted) {
        const failure = { kind: 'timeout' } as const;
        throw new AttemptError(`no complete answer within ${timeoutMs} ms`, failure, decideRetry(failure));
      }
      if (isNetworkFailure(error)) {
        const code = networkCode(error);
        const failure = { kind: 'network', ...(code ? { code } : {}) } as const;
        throw new AttemptError(`network error (${code ?? (error as Error).message})`, failure, decideRetry(failure), undefined, { cause: error });
      }
      const message = redact(error instanceof Error ? error.message : String(error));
      throw new AbortError(new LoadError(`the bulk request could not be sent: ${message}`, { attempt, code: 'request_failed' }));
    }

    if (status >= 200 && status < 300) {
      const parsed = bulkResponseSchema.safeParse(parseJson(text));
      if (parsed.success) return parsed.data;
      const failure = { kind: 'invalid_response' } as const;
      throw new AttemptError(`a ${status} answer whose body is not a bulk response: ${snippet(redact(text))}`, failure, decideRetry(failure));
    }
    const failure = { kind: 'http', status } as const;
    const decision = decideRetry(failure);
    const reason = redact(serverReason(text));
    if (decision.retry) {
      throw new AttemptError(`${status} ${decision.code}${reason ? `: ${reason}` : ''}${rateNote}`, failure, decision, retryAfterMs);
    }
    throw new AbortError(new LoadError(fatalMessage(status, reason, options.environmentId), { status, attempt, code: decision.code }));
  }

  return {
    async send(users, { upsert, signal, waitSignal }) {
      const waits = signal && waitSignal ? AbortSignal.any([signal, waitSignal]) : (signal ?? waitSignal);
      if (users.length === 0 || users.length > MAX_BATCH_SIZE) {
        throw new LoadError(`a bulk request takes 1 to ${MAX_BATCH_SIZE} users, got ${users.length}`, { code: 'bad_request' });
      }
      const body = JSON.stringify(users);
      let mayHaveLanded = false;
      let delayMs = 0;
      let rateLimited = 0;
      let attempts = 0;
      try {
        const response = await pRetry(async (attempt) => {
          attempts = attempt;
          if (delayMs > 0) await sleep(delayMs, waits).catch((reason: unknown) => { throw new AbortError(asError(reason)); });
          const slot = await options.rateLimiter.acquire(waits).catch((reason: unknown) => { throw new AbortError(asError(reason)); });
          options.onAttempt?.();
          try {
            return await attemptOnce(body, upsert, attempt, slot, signal);
          } finally {
            slot.release(); // no-op when the answer already released it; else: given up, no answer
          }
        }, {
          retries: options.retries ?? 8,
          // We wait ourselves (in the next attempt) so the delay can honour Retry-After.
          minTimeout: 0,
          maxTimeout: 0,
          ...(signal ? { signal } : {}),
          onFailedAttempt: ({ error, attemptNumber, retriesConsumed, retriesLeft }) => {
            if (!(error instanceof AttemptError)) return;
            if (error.decision.mayHaveLanded) mayHaveLanded = true;
            const is429 = error.status === 429;
            if (is429) {
              rateLimited++;
              // The limit is per IP: when one request is told to wait, every request waits, exactly
              // as long as the server said (or, without Retry-After, a growing backoff). This
              // request then waits in the limiter's queue like the others.
              const pauseMs = error.retryAfterMs ?? backoffDelay(rateLimited, { minBackoffMs: options.minBackoffMs, maxBackoffMs: options.maxBackoffMs });
              options.rateLimiter.pauseFor(pauseMs);
              delayMs = 0;
              if (retriesLeft > 0) options.onRetry?.({ attempt: attemptNumber, delayMs: pauseMs, reason: error.message, status: 429 });
              return;
            }
            delayMs = backoffDelay(retriesConsumed + 1, { minBackoffMs: options.minBackoffMs, maxBackoffMs: options.maxBackoffMs });
            if (retriesLeft > 0) {
              options.onRetry?.({
                attempt: attemptNumber, delayMs, reason: error.message,
                ...(error.status !== undefined ? { status: error.status } : {}),
              });
            }
          },
          shouldConsumeRetry: ({ error }) =>
            !(error instanceof AttemptError && error.status === 429 && rateLimited <= (options.rateLimitRetries ?? 30)),
          shouldRetry: ({ error }) => error instanceof AttemptError && error.decision.retry,
        });
        return { response, mayHaveLanded };
      } catch (error) {
        if (error instanceof AttemptError) {
          // After a network error, 5xx or timeout the users may be stored: the batch is in doubt, not failed.
          const inDoubt = mayHaveLanded ? '; the users may have been stored: the batch stays in doubt and the next run resolves it' : '';
          throw new LoadError(`the bulk request still failed after ${attempts} attempts: ${error.message}${inDoubt}`, {
            attempt: attempts, code: 'retries_exhausted', mayHaveLanded, ...(error.status !== undefined ? { status: error.status } : {}),
          }, { cause: error });
        }
        throw error;
      }
    },
  };
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
