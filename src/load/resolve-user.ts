import type { UserPayload } from '../contract/index.js';
import type { DeveloperRequestOptions } from './developer-request.js';
import {
  findIdentityHolders, identitiesOf, identityKeysOfUser, type ApiUserRecord, type Identity, type IdentityColumn, type IdentityHolder,
} from './identity-holders.js';

/** Who holds a user's identities in Dynamic, as far as deciding what to do with it goes. */
export type Resolution =
  /** Every identity held is held by one Dynamic user carrying this row's legacy id (`createdAt` as the API says). */
  | { kind: 'ours'; dynamicUserId: string; differs: boolean; createdAt?: string }
  /** Some identity is held by another Dynamic user: never to be updated on our word. */
  | { kind: 'foreign'; dynamicUserId: string; column: IdentityColumn }
  /** Nobody holds any of its identities. */
  | { kind: 'absent' };

/** Which identity a clash code names, so it is looked up first. */
const CODE_COLUMNS: Readonly<Record<string, IdentityColumn>> = {
  email_already_exists: 'email',
  user_has_already_account_with_email: 'email',
  duplicate_exists: 'email',
  username_already_exists: 'username',
  social_account_already_exists: 'accountId',
  wallet_account_exists_for_chain: 'walletPublicKey',
  embedded_wallet_address_already_linked: 'walletPublicKey',
  user_has_already_account_with_phone_number: 'phoneNumber',
};

/**
 * Looks up who holds the identities of `payload` (or `identities`, when given: those an earlier
 * attempt carried), one identity at a time, the one `clashCode` names first. Stops at the first identity someone else holds. Once a
 * user carrying this legacy id is found, the identities it already holds need no look-up of their
 * own, so a user found whole costs one request. `differs`: the data Dynamic holds is not what the
 * payload says (see {@link differsFromPayload}).
 * @throws LoadError when a look-up cannot succeed.
 */
export async function resolveUser(
  legacyId: string,
  payload: UserPayload,
  options: { legacyIdKey: string; request: DeveloperRequestOptions; clashCode?: string; identities?: readonly Identity[] },
): Promise<Resolution> {
  const first = options.clashCode ? CODE_COLUMNS[options.clashCode] : undefined;
  const identities = [...(options.identities ?? identitiesOf(payload))].sort((a, b) => Number(b.column === first) - Number(a.column === first));
  let ours: IdentityHolder | undefined;
  let oursHolds = new Set<string>();
  for (const identity of identities) {
    if (oursHolds.has(identity.key)) continue;
    const holders = await findIdentityHolders(identity, options.legacyIdKey, options.request);
    const oursId = ours?.id ?? holders[0]?.id;
    // Another legacy id, none, or a second user carrying ours: not ours to settle or update.
    const other = holders.find((holder) => holder.legacyId !== legacyId || holder.id !== oursId);
    if (other) return { kind: 'foreign', dynamicUserId: other.id, column: identity.column };
    if (!ours && holders[0]) {
      ours = holders[0];
      oursHolds = identityKeysOfUser(ours.user);
    }
  }
  if (!ours) return { kind: 'absent' };
  const createdAt = typeof ours.user.createdAt === 'string' ? ours.user.createdAt : undefined;
  return { kind: 'ours', dynamicUserId: ours.id, differs: differsFromPayload(payload, ours.user), ...(createdAt ? { createdAt } : {}) };
}

/** Payload fields the API shows in other shapes (credentials), not under their own name. */
const NOT_ECHOED = new Set(['wallets', 'oauthAccounts', 'emailVerifiedAt', 'mfaBackupCodeAcknowledgement']);
const CASE_INSENSITIVE = new Set(['email', 'country']);

/**
 * Whether the user Dynamic holds differs from the payload: any field the payload sets that the
 * user shows otherwise (emails and countries ignoring case, objects such as `metadata` compared
 * as JSON with sorted keys), or an identity of the payload the user does not hold. A field the
 * API does not echo back counts as differing: one upsert too many is harmless, one too few leaves
 * stale data. Pure.
 */
export function differsFromPayload(payload: UserPayload, user: ApiUserRecord): boolean {
  for (const [field, value] of Object.entries(payload)) {
    if (value === undefined || NOT_ECHOED.has(field)) continue;
    const held = user[field];
    if (CASE_INSENSITIVE.has(field) && typeof value === 'string' && typeof held === 'string') {
      if (value.toLowerCase() !== held.toLowerCase()) return true;
    } else if (canonicalJson(value) !== canonicalJson(held ?? null)) {
      return true;
    }
  }
  const holds = identityKeysOfUser(user);
  return identitiesOf(payload).some((identity) => !holds.has(identity.key));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}
