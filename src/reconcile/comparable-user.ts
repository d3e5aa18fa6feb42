import type { UserPayload } from '../contract/index.js';
import { oauthKey, walletKey } from '../contract/identity-keys.js';

/**
 * The fields reconcile compares, reduced to one shape for both sides: the payload the mapping
 * builds from a source row, and the user Dynamic lists. Absent, null and blank all read as `null`.
 */
export interface ComparableUser {
  email: string | null;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  country: string | null;
  /** The contract's `walletKey`s (the emulator's uniqueness keys), sorted and unique. */
  wallets: string[];
  /** The contract's `oauthKey`s, sorted and unique. */
  oauthAccounts: string[];
}

/** A string field as compared: trimmed; absent, null, blank and non-strings become `null`. */
export function textOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** What the mapped payload says the user should look like in Dynamic. */
export function comparableFromPayload(payload: UserPayload): ComparableUser {
  return {
    email: textOrNull(payload.email),
    username: textOrNull(payload.username),
    firstName: textOrNull(payload.firstName),
    lastName: textOrNull(payload.lastName),
    country: textOrNull(payload.country),
    wallets: sortedUnique((payload.wallets ?? []).map((w) => walletKey(w.chain, w.publicWalletAddress))),
    oauthAccounts: sortedUnique((payload.oauthAccounts ?? []).map((a) => oauthKey(a.provider, a.accountId))),
  };
}
