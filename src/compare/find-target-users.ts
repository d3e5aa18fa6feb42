import { listUsersResponseSchema } from '../contract/index.js';
import { developerRequest, httpFailure, type AnswerReading, type DeveloperRequestOptions } from '../load/developer-request.js';
import { parseJson } from '../load/server-answer.js';
import type { ApiUserRecord } from '../reconcile/target-user.js';
import type { FoundTargetUser } from './predict-target.js';

/** The identity a user is looked up by: its email, or its username when it has no email. */
export interface LookupKey {
  column: 'email' | 'username';
  value: string;
}

/** At most this many users are read per lookup: one is the norm, more means a loose match. */
const LOOKUP_LIMIT = 10;

/**
 * The users of the environment whose `column` equals `value`, case-insensitively, through
 * `GET .../users?filter[filterColumn]=…&filter[filterValue]=…` (read-only, retried as the loader
 * retries, one rate-limiter slot per attempt). The answer is checked here too, so an API that
 * matches substrings cannot turn `ann@x.io` into a conflict with `joann@x.io`.
 * @throws LoadError when the lookup cannot succeed (401/403/404, retries exhausted).
 */
export async function findTargetUsers(key: LookupKey, legacyIdKey: string, options: DeveloperRequestOptions): Promise<FoundTargetUser[]> {
  const query = new URLSearchParams({ 'filter[filterColumn]': key.column, 'filter[filterValue]': key.value, offset: '0', limit: String(LOOKUP_LIMIT) });
  const users = await developerRequest(`/users?${query.toString()}`, { what: `looking a user up by ${key.column}` }, readUsers, options);
  const wanted = key.value.toLowerCase();
  return users
    .filter((user) => typeof user[key.column] === 'string' && (user[key.column] as string).toLowerCase() === wanted)
    .map((user) => ({ legacyId: legacyIdOf(user, legacyIdKey) }));
}

/** Email when the payload has one, else username; null when it has neither (nothing to look up). */
export function lookupKeyOf(payload: { email?: string | undefined; username?: string | null | undefined }): LookupKey | null {
  if (payload.email) return { column: 'email', value: payload.email };
  if (payload.username) return { column: 'username', value: payload.username };
  return null;
}

function legacyIdOf(user: ApiUserRecord, legacyIdKey: string): string | null {
  const metadata = typeof user.metadata === 'object' && user.metadata !== null ? (user.metadata as Record<string, unknown>) : {};
  const value = metadata[legacyIdKey];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

function readUsers(response: Response, text: string): AnswerReading<ApiUserRecord[]> {
  if (!response.ok) return httpFailure(response);
  const parsed = listUsersResponseSchema.safeParse(parseJson(text));
  if (parsed.success) return { done: parsed.data.users as ApiUserRecord[] };
  return { failure: { kind: 'invalid_response' }, reason: `a ${response.status} answer that is not a user list` };
}
