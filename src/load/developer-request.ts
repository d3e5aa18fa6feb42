import { AttemptError } from './attempt-error.js';
import { exchange, refusal, retryRequest, type RetryOptions } from './retrying-request.js';
import { decideRetry, type AttemptFailure } from './retry-policy.js';

/**
 * Options shared by the requests to Dynamic's developer endpoints (list, get, delete users).
 * They retry as the bulk requests do ({@link RetryOptions}): one policy for every request.
 */
export interface DeveloperRequestOptions extends RetryOptions {
  /** API root, e.g. `https://app.dynamicauth.com/api/v0`. */
  baseUrl: string;
  environmentId: string;
  /** Sent as a bearer token, never logged. */
  token: string;
  /** @default 60000 */
  requestTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What one answer means to the caller: done with a value, or a failure for the retry table. */
export type AnswerReading<T> = { done: T } | { failure: AttemptFailure; reason: string };

/**
 * One request to a developer endpoint, sent and retried by the same engine as the bulk requests
 * ({@link retryRequest}). `read` turns a received answer into a value, or into a failure (`http`
 * failures are retried or not by status). `what` names the request in errors ("listing users at
 * offset 200").
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
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json', 'user-agent': 'dynamic-migrate' };
  const { value } = await retryRequest(async (context) => {
    const answer = await exchange(fetchImpl, url, { method: init.method ?? 'GET', headers }, {
      ...context, timeoutMs: options.requestTimeoutMs ?? 60_000, token: options.token, what: init.what,
    });
    const reading = read(answer.response, answer.text);
    if ('done' in reading) return reading.done;
    if (reading.failure.kind !== 'http') throw new AttemptError(reading.reason, reading.failure, decideRetry(reading.failure));
    throw refusal(answer, context.attempt, options.token, (status, reason) => {
      const hint = status === 401 || status === 403 || status === 404 ? ': check DYNAMIC_API_TOKEN, DYNAMIC_ENVIRONMENT_ID and DYNAMIC_API_URL' : '';
      return `${init.what} failed (${status}${reason ? ` ${reason}` : ''})${hint}`;
    });
  }, { what: init.what }, options);
  return value;
}

/** A non-2xx answer, for the retry table to judge by its status. */
export function httpFailure(response: Response): { failure: AttemptFailure; reason: string } {
  return { failure: { kind: 'http', status: response.status }, reason: String(response.status) };
}
