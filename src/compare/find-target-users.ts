import { emailKey, usernameKey } from '../contract/identity-keys.js';
import type { DeveloperRequestOptions } from '../load/developer-request.js';
import { findIdentityHolders } from '../load/identity-holders.js';
import type { FoundTargetUser } from './target-tally.js';

/** The identity a user is looked up by: its email, or its username when it has no email. */
export interface LookupKey {
  column: 'email' | 'username';
  value: string;
}

/**
 * The users of the environment whose `column` equals `value`, case-insensitively (see
 * `findIdentityHolders`: read-only, retried, rate-limited, the answer checked for an exact match,
 * so `ann@x.io` never conflicts with `joann@x.io`).
 * @throws LoadError when the lookup cannot succeed (401/403/404, retries exhausted).
 */
export async function findTargetUsers(key: LookupKey, legacyIdKey: string, options: DeveloperRequestOptions): Promise<FoundTargetUser[]> {
  const identityKey = key.column === 'email' ? `email:${emailKey(key.value)}` : `username:${usernameKey(key.value)}`;
  const holders = await findIdentityHolders({ key: identityKey, column: key.column, value: key.value }, legacyIdKey, options);
  return holders.map((holder) => ({ legacyId: holder.legacyId }));
}

/** Email when the payload has one, else username; null when it has neither (nothing to look up). */
export function lookupKeyOf(payload: { email?: string | undefined; username?: string | null | undefined }): LookupKey | null {
  if (payload.email) return { column: 'email', value: payload.email };
  if (payload.username) return { column: 'username', value: payload.username };
  return null;
}
