import type { AttemptFailure, RetryDecision } from './retry-policy.js';

/**
 * One failed attempt that the retry policy says is worth retrying. Deliberately not a `TypeError`:
 * p-retry gives up on most TypeErrors without asking `shouldRetry`.
 */
export class AttemptError extends Error {
  constructor(
    message: string,
    readonly failure: AttemptFailure,
    readonly decision: RetryDecision,
    /** From `Retry-After`, when the server sent one. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AttemptError';
  }

  get status(): number | undefined {
    return this.failure.kind === 'http' ? this.failure.status : undefined;
  }
}

const NETWORK_MESSAGES = new Set(['fetch failed', 'terminated']);

/**
 * Whether a fetch rejection is a transport failure (refused, reset, closed mid-body, DNS) rather
 * than a programming error such as a malformed URL or header. Undici reports transport failures as
 * `TypeError('fetch failed' | 'terminated', { cause })`.
 */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (NETWORK_MESSAGES.has(error.message)) return true;
  return networkCode(error) !== undefined;
}

/** `ECONNRESET`, `UND_ERR_SOCKET`, ... from the error or its cause chain. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}
