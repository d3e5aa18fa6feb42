/**
 * How every request the tool makes to Dynamic is sent and retried: bulk creates, look-ups,
 * reconcile's listing, rollback's deletes and `--compare-target`. One engine (p-retry) applies the
 * one table of `retry-policy.ts`; callers only say what the request is and how to read its answer.
 */
import pRetry, { AbortError } from 'p-retry';
import { LoadError } from '../errors.js';
import { describeLimitChange } from './adaptive-limit.js';
import { AttemptError, isNetworkFailure, networkCode } from './attempt-error.js';
import { readRetryAfterMs } from './rate-limit-headers.js';
import { defaultSleep, type RateLimiter, type RateSlot, type Sleep } from './rate-limiter.js';
import { redactToken } from './redact-token.js';
import { backoffDelay, decideRetry } from './retry-policy.js';
import { serverReason } from './server-answer.js';

/** What `onRetry` hears before each retry. `attempt` is the attempt that just failed (1-based). */
export interface RetryInfo { attempt: number; status?: number; delayMs: number; reason: string }

/** The retry settings shared by every request. */
export interface RetryOptions {
  /** Shared by the requests of a run: each attempt holds one slot until its answer is in; a 429 pauses it for everyone. */
  rateLimiter: RateLimiter;
  /** Retries after the first attempt on 5xx, network errors and timeouts (429s up to `rateLimitRetries` do not count). @default 8 */
  retries?: number;
  /** 429s that do not use up `retries`: the rate limit speaking, not a fault of the request. @default 30 */
  rateLimitRetries?: number;
  /** @default 250 */
  minBackoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
  /** Waits between attempts. @default node:timers/promises setTimeout */
  sleep?: Sleep;
  onRetry?: (info: RetryInfo) => void;
  /** Called as each attempt goes out (after its rate-limit slot), e.g. to show requests/min. */
  onAttempt?: () => void;
  /** Aborts everything, including a request on the wire. */
  signal?: AbortSignal;
  /** Aborts only the waits (backoff, rate-limit slot), never a request already sent. */
  waitSignal?: AbortSignal;
}

/** One attempt's context: its number (1-based), the slot it holds, and the signal for the request itself. */
export interface AttemptContext {
  attempt: number;
  slot: RateSlot;
  signal: AbortSignal | undefined;
}

export interface RetriedValue<T> {
  value: T;
  /** An attempt before the answered one ended without a usable answer after the server may have done the work. */
  mayHaveLanded: boolean;
}

/**
 * Runs `attempt` until it returns, retrying what it throws as `AttemptError` when the retry table
 * says so; an `AbortError` stops at once with its original error. A 429 pauses the shared limiter
 * for its `Retry-After` (or a growing backoff) and the retry waits in the limiter's queue like every
 * other request; the first `rateLimitRetries` 429s use up no retry. Other failures back off
 * exponentially, at least as long as a `Retry-After` says.
 * @throws LoadError `retries_exhausted` naming `what` and the last failure; or the signal's reason.
 */
export async function retryRequest<T>(
  attempt: (context: AttemptContext) => Promise<T>,
  describe: { what: string; ifMayHaveLanded?: string },
  options: RetryOptions,
): Promise<RetriedValue<T>> {
  const { signal, waitSignal } = options;
  const waits = signal && waitSignal ? AbortSignal.any([signal, waitSignal]) : (signal ?? waitSignal);
  const sleep = options.sleep ?? defaultSleep;
  const backoff = { minBackoffMs: options.minBackoffMs, maxBackoffMs: options.maxBackoffMs };
  let mayHaveLanded = false;
  let delayMs = 0;
  let rateLimited = 0;
  // Both budgets are ours: p-retry stops when its own count runs out before asking whether a
  // failure costs a retry, so with `retries: 0` a single free 429 would fail the request.
  const retries = options.retries ?? 8;
  const freeRateLimited = options.rateLimitRetries ?? 30;
  let consumed = 0;
  const retriesRemain = () => consumed <= retries;
  let attempts = 0;
  try {
    const value = await pRetry(async (number) => {
      attempts = number;
      if (delayMs > 0) await sleep(delayMs, waits).catch((reason: unknown) => { throw new AbortError(asError(reason)); });
      const slot = await options.rateLimiter.acquire(waits).catch((reason: unknown) => { throw new AbortError(asError(reason)); });
      options.onAttempt?.();
      try {
        return await attempt({ attempt: number, slot, signal });
      } finally {
        slot.release(); // no-op when the answer already released it; else: given up, no answer
      }
    }, {
      retries: Number.POSITIVE_INFINITY,
      // We wait ourselves (in the next attempt) so the delay can honour Retry-After.
      minTimeout: 0,
      maxTimeout: 0,
      ...(signal ? { signal } : {}),
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (!(error instanceof AttemptError)) return;
        if (error.decision.mayHaveLanded) mayHaveLanded = true;
        if (error.status === 429) {
          rateLimited++;
          if (rateLimited > freeRateLimited) consumed++;
          // The limit is per IP: when one request is told to wait, every request waits, exactly as
          // long as the server said. This request then waits in the limiter's queue like the others.
          const pauseMs = error.retryAfterMs ?? backoffDelay(rateLimited, backoff);
          options.rateLimiter.pauseFor(pauseMs);
          delayMs = 0;
          if (retriesRemain()) options.onRetry?.({ attempt: attemptNumber, delayMs: pauseMs, reason: error.message, status: 429 });
          return;
        }
        consumed++;
        delayMs = backoffDelay(consumed, { ...backoff, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) });
        if (error.decision.retry && retriesRemain()) {
          options.onRetry?.({ attempt: attemptNumber, delayMs, reason: error.message, ...(error.status !== undefined ? { status: error.status } : {}) });
        }
      },
      shouldRetry: ({ error }) => error instanceof AttemptError && error.decision.retry && retriesRemain(),
    });
    return { value, mayHaveLanded };
  } catch (error) {
    if (!(error instanceof AttemptError)) throw error;
    const landed = mayHaveLanded && describe.ifMayHaveLanded ? `; ${describe.ifMayHaveLanded}` : '';
    throw new LoadError(`${describe.what} still failed after ${attempts} attempt(s): ${error.message}${landed}`, {
      attempt: attempts, code: 'retries_exhausted', mayHaveLanded, ...(error.status !== undefined ? { status: error.status } : {}),
    }, { cause: error });
  }
}

/** A received answer, body read, its slot released. */
export interface HttpAnswer {
  response: Response;
  text: string;
  /** `Retry-After` (or `RateLimit-Reset`) in ms, when sent. */
  retryAfterMs: number | undefined;
  /** `; limit lowered to …` when the answer changed the limiter's rate, for the retry message. */
  rateNote: string;
}

/**
 * One HTTP exchange within an attempt, with a per-attempt timeout. Network failures and timeouts
 * throw `AttemptError` (retried); the signal aborting, or a request that cannot be sent at all (a
 * malformed URL), throw `AbortError`. The token never appears in a message.
 */
export async function exchange(
  fetchImpl: typeof fetch,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  context: AttemptContext & { timeoutMs: number; token: string; what: string },
): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const { signal } = context;
  try {
    const response = await fetchImpl(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    const retryAfterMs = readRetryAfterMs(response.headers);
    const text = await response.text();
    const change = context.slot.release({ status: response.status, headers: response.headers });
    return { response, text, retryAfterMs, rateNote: change ? `; ${describeLimitChange(change)}` : '' };
  } catch (error) {
    if (signal?.aborted) throw new AbortError(asError(signal.reason));
    if (timeout.aborted) {
      const failure = { kind: 'timeout' } as const;
      throw new AttemptError(`no complete answer within ${context.timeoutMs} ms`, failure, decideRetry(failure));
    }
    if (isNetworkFailure(error)) {
      const code = networkCode(error);
      const failure = { kind: 'network', ...(code ? { code } : {}) } as const;
      throw new AttemptError(`network error (${code ?? (error as Error).message})`, failure, decideRetry(failure), undefined, { cause: error });
    }
    const message = redactToken(error instanceof Error ? error.message : String(error), context.token);
    throw new AbortError(new LoadError(`${context.what} could not be sent: ${message}`, { attempt: context.attempt, code: 'request_failed' }, { cause: error }));
  }
}

/**
 * A non-2xx answer, judged by the retry table: an `AttemptError` to retry (429, 5xx), or an
 * `AbortError` carrying the `LoadError` that `fatal` words (401, 403, other 4xx).
 */
export function refusal(answer: HttpAnswer, attempt: number, token: string, fatal: (status: number, reason: string) => string): Error {
  const { status } = answer.response;
  const failure = { kind: 'http', status } as const;
  const decision = decideRetry(failure);
  const reason = redactToken(serverReason(answer.text), token);
  if (decision.retry) {
    return new AttemptError(`${status} ${decision.code}${reason ? `: ${reason}` : ''}${answer.rateNote}`, failure, decision, answer.retryAfterMs);
  }
  return new AbortError(new LoadError(fatal(status, reason), { status, attempt, code: decision.code }));
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
