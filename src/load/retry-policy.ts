/**
 * The one table of retry decisions for every request to Dynamic, plus the backoff arithmetic. Pure:
 * the engine (`retrying-request.ts`) classifies what happened into an `AttemptFailure` and asks
 * here what to do.
 */

/** What went wrong with one attempt. */
export type AttemptFailure =
  | { kind: 'http'; status: number }
  /** fetch rejected: connection refused/reset/closed mid-response (`TypeError` with a `cause`). */
  | { kind: 'network'; code?: string }
  /** Our per-request timeout fired. */
  | { kind: 'timeout' }
  /** A 2xx whose body is not the contract's response. */
  | { kind: 'invalid_response' };

export interface RetryDecision {
  retry: boolean;
  /**
   * The server may have stored the users even though we got no usable answer, so a replay must use
   * `upsert=true` or it would fail with `email_already_exists` instead of telling us the ids.
   */
  mayHaveLanded: boolean;
  /** Stable code for logs and the final `LoadError`. */
  code: string;
}

/** Whole-request statuses with a decision of their own; other 4xx fail, other 5xx retry. */
const STATUS_TABLE: Readonly<Record<number, RetryDecision>> = {
  400: { retry: false, mayHaveLanded: false, code: 'bad_request' },
  401: { retry: false, mayHaveLanded: false, code: 'unauthorized' },
  403: { retry: false, mayHaveLanded: false, code: 'forbidden' },
  404: { retry: false, mayHaveLanded: false, code: 'not_found' },
  422: { retry: false, mayHaveLanded: false, code: 'bad_request' },
  // A 429 is refused before any work: nothing landed, the caller's upsert choice stands.
  429: { retry: true, mayHaveLanded: false, code: 'rate_limited' },
  500: { retry: true, mayHaveLanded: true, code: 'server_error' },
  502: { retry: true, mayHaveLanded: true, code: 'bad_gateway' },
  503: { retry: true, mayHaveLanded: true, code: 'service_unavailable' },
  504: { retry: true, mayHaveLanded: true, code: 'gateway_timeout' },
};

/** Decides whether an attempt that failed this way is worth another try. */
export function decideRetry(failure: AttemptFailure): RetryDecision {
  switch (failure.kind) {
    case 'http': {
      const known = STATUS_TABLE[failure.status];
      if (known) return known;
      if (failure.status >= 500) return { retry: true, mayHaveLanded: true, code: 'server_error' };
      return { retry: false, mayHaveLanded: false, code: `http_${failure.status}` };
    }
    case 'network':
      return { retry: true, mayHaveLanded: true, code: 'network_error' };
    case 'timeout':
      return { retry: true, mayHaveLanded: true, code: 'timeout' };
    case 'invalid_response':
      // A 2xx means the server did the work; the body was garbled (proxy, truncation). Replaying
      // with upsert is harmless and is the only way to learn the Dynamic ids.
      return { retry: true, mayHaveLanded: true, code: 'invalid_response' };
  }
}

export interface BackoffOptions {
  /** Lower bound of every wait. @default 250 */
  minBackoffMs?: number;
  /** Upper bound of the exponential part. @default 30000 */
  maxBackoffMs?: number;
  /** @default 2 */
  factor?: number;
}

/**
 * Exponential backoff with full jitter: uniform in [min, min(max, min * factor^(retry-1))], so many
 * clients that failed together do not come back together. `retry` counts from 1. At least
 * `retryAfterMs` when the server said how long to wait. `random` is injectable for tests.
 */
export function backoffDelay(
  retry: number,
  options: BackoffOptions & { retryAfterMs?: number } = {},
  random: () => number = Math.random,
): number {
  const min = options.minBackoffMs ?? 250;
  const max = Math.max(min, options.maxBackoffMs ?? 30_000);
  const factor = options.factor ?? 2;
  const ceiling = Math.min(max, min * factor ** Math.max(0, retry - 1));
  const jittered = Math.round(min + random() * (ceiling - min));
  return Math.max(jittered, Math.ceil(options.retryAfterMs ?? 0));
}

/** A `Retry-After` longer than this is clamped: one bad header must not park a run for days. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Parses `Retry-After` (delta seconds, possibly fractional, or an HTTP date) into milliseconds
 * from `now`. Undefined when absent or unparseable; never negative; clamped to `MAX_RETRY_AFTER_MS`.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // An HTTP date always names a weekday or month; Date.parse alone would read "-5" as a year.
    const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}
