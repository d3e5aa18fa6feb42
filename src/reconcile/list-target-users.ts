import { listUsersResponseSchema } from '../contract/index.js';
import { developerRequest, httpFailure, type AnswerReading, type DeveloperRequestOptions } from '../load/developer-request.js';
import type { RetryInfo } from '../load/retrying-request.js';
import { parseJson } from '../load/server-answer.js';
import type { ApiUserRecord } from './target-user.js';

/** Options of {@link listTargetUsers}. */
export interface ListTargetUsersOptions extends Omit<DeveloperRequestOptions, 'onRetry'> {
  /** Users per page; the API allows at most 100. @default 100 */
  pageSize?: number;
  /** Told before each retry, with the offset of the page it is for. */
  onRetry?: (info: RetryInfo & { offset: number }) => void;
}

/**
 * Streams every user of the environment through the list endpoint (`GET .../users?offset&limit`),
 * one page at a time, read-only, retried as the loader retries (see {@link developerRequest}).
 * Offsets assume nobody deletes users while we read: a deletion mid-listing can shift one page and
 * hide a user, so run reconcile when no one else is editing the environment.
 * @throws LoadError when a page cannot be read.
 */
export async function* listTargetUsers(options: ListTargetUsersOptions): AsyncGenerator<ApiUserRecord[]> {
  const pageSize = options.pageSize ?? 100;
  let offset = 0;
  for (;;) {
    const at = offset;
    const page = await developerRequest(
      `/users?offset=${at}&limit=${pageSize}`,
      { what: `listing users at offset ${at}` },
      readUserList,
      { ...options, onRetry: (info) => options.onRetry?.({ ...info, offset: at }) },
    );
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    offset += page.length;
  }
}

function readUserList(response: Response, text: string): AnswerReading<ApiUserRecord[]> {
  if (!response.ok) return httpFailure(response);
  const parsed = listUsersResponseSchema.safeParse(parseJson(text));
  if (parsed.success) return { done: parsed.data.users as ApiUserRecord[] };
  return { failure: { kind: 'invalid_response' }, reason: `a ${response.status} answer that is not a user list` };
}
