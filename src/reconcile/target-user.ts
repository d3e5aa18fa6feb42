import { oauthKey, walletKey } from '../contract/identity-keys.js';
import { sortedUnique, textOrNull, type ComparableUser } from './comparable-user.js';

/** A user as the list endpoint returns it: loose JSON; only `id` and `metadata` are relied on. */
export type ApiUserRecord = Record<string, unknown>;

/** What reconcile keeps of one listed user: small, so a whole environment fits in memory. */
export interface TargetUser {
  /** Dynamic's user id. */
  id: string;
  /** `metadata[legacyIdKey]` as a string; null when the user carries none (not created by us). */
  legacyId: string | null;
  fields: ComparableUser;
}

type Json = Record<string, unknown>;
const records = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((item): item is Json => typeof item === 'object' && item !== null) : [];
/** The first non-empty string among `names`, as given: identity keys decide what counts as the same. */
const firstText = (record: Json, ...names: string[]): string | null => {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
};

/**
 * Reduces a listed user to what reconcile compares. Wallets come from `wallets[]` (`chain`,
 * `publicKey`), or from blockchain `verifiedCredentials` when the list has no `wallets`. OAuth
 * accounts come from oauth `verifiedCredentials` (snake_case as the emulator writes them, camelCase
 * as the SDK types do) and from any `oauthAccounts[]` entry that carries an `accountId`.
 * Pure; never throws on odd shapes (a field it cannot read counts as absent).
 */
export function toTargetUser(user: ApiUserRecord, legacyIdKey: string): TargetUser {
  const metadata = typeof user.metadata === 'object' && user.metadata !== null ? (user.metadata as Json) : {};
  const rawLegacyId = metadata[legacyIdKey];
  const legacyId = typeof rawLegacyId === 'string' || typeof rawLegacyId === 'number' ? String(rawLegacyId) : null;
  const credentials = records(user.verifiedCredentials);

  const walletSource = Array.isArray(user.wallets)
    ? records(user.wallets).map((w) => [firstText(w, 'chain'), firstText(w, 'publicKey', 'address')] as const)
    : credentials.filter((c) => c.format === 'blockchain').map((c) => [firstText(c, 'chain'), firstText(c, 'address')] as const);
  const wallets = walletSource.flatMap(([chain, address]) => (chain && address ? [walletKey(chain, address)] : []));

  const oauth = [
    ...credentials
      .filter((c) => c.format === 'oauth')
      .map((c) => [firstText(c, 'oauth_provider', 'oauthProvider'), firstText(c, 'oauth_account_id', 'oauthAccountId')] as const),
    ...records(user.oauthAccounts).map((a) => [firstText(a, 'provider'), firstText(a, 'accountId')] as const),
  ].flatMap(([provider, accountId]) => (provider && accountId ? [oauthKey(provider, accountId)] : []));

  return {
    id: String(user.id ?? ''),
    legacyId,
    fields: {
      email: textOrNull(user.email),
      username: textOrNull(user.username),
      firstName: textOrNull(user.firstName),
      lastName: textOrNull(user.lastName),
      country: textOrNull(user.country),
      wallets: sortedUnique(wallets),
      oauthAccounts: sortedUnique(oauth),
    },
  };
}
