import { MAX_BATCH_SIZE, bulkResponseSchema } from '../contract/index.js';
import type { BulkResponse, UserPayload } from '../contract/index.js';
import { LoadError } from '../errors.js';
import { AttemptError } from './attempt-error.js';
import { redactToken } from './redact-token.js';
import { exchange, refusal, retryRequest, type AttemptContext, type RetryOptions } from './retrying-request.js';
import { decideRetry } from './retry-policy.js';
import { fatalMessage, parseJson, snippet } from './server-answer.js';

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

/** The bulk endpoint's settings; retries follow {@link RetryOptions}, as every request of the tool does. */
export interface BulkClientOptions extends Omit<RetryOptions, 'signal' | 'waitSignal'> {
  /** API root, e.g. `https://app.dynamicauth.com/api/v0` (no trailing `/environments`). */
  baseUrl: string;
  environmentId: string;
  /** Environment API token; sent as a bearer token, never logged. */
  token: string;
  /** Per attempt, response body included. @default 60000 */
  requestTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default 'dynamic-migrate' */
  userAgent?: string;
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
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': options.userAgent ?? 'dynamic-migrate',
  };

  async function attemptOnce(body: string, upsert: boolean, context: AttemptContext): Promise<BulkResponse> {
    const url = upsert ? `${endpoint}?upsert=true` : endpoint;
    const answer = await exchange(fetchImpl, url, { method: 'POST', headers, body }, { ...context, timeoutMs, token: options.token, what: 'the bulk request' });
    const { status } = answer.response;
    if (status >= 200 && status < 300) {
      const parsed = bulkResponseSchema.safeParse(parseJson(answer.text));
      if (parsed.success) return parsed.data;
      const failure = { kind: 'invalid_response' } as const;
      throw new AttemptError(`a ${status} answer whose body is not a bulk response: ${snippet(redactToken(answer.text, options.token))}`, failure, decideRetry(failure));
    }
    throw refusal(answer, context.attempt, options.token, (code, reason) => fatalMessage(code, reason, options.environmentId));
  }

  return {
    async send(users, { upsert, signal, waitSignal }) {
      if (users.length === 0 || users.length > MAX_BATCH_SIZE) {
        throw new LoadError(`a bulk request takes 1 to ${MAX_BATCH_SIZE} users, got ${users.length}`, { code: 'bad_request' });
      }
      const body = JSON.stringify(users);
      const { value: response, mayHaveLanded } = await retryRequest((context) => attemptOnce(body, upsert, context), {
        what: 'the bulk request',
        // After a network error, 5xx or timeout the users may be stored: the batch is in doubt, not failed.
        ifMayHaveLanded: 'the users may have been stored: the batch stays in doubt and the next run resolves it',
      }, { ...options, ...(signal ? { signal } : {}), ...(waitSignal ? { waitSignal } : {}) });
      return { response, mayHaveLanded };
    },
  };
}
