import type { UserPayload } from '../contract/index.js';

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
  /** `chain:address`, sorted and unique. */
  wallets: string[];
  /** `provider:accountId`, sorted and unique. */
  oauthAccounts: string[];
}

/** Chains whose addresses are hex: their letter case is only a checksum (EIP-55), not identity. */
const HEX_CHAINS = new Set(['ETH', 'EVM']);

/** `chain:address`; EVM addresses lowercased, others (base58, bech32) kept as they are. */
export function walletKey(chain: string, address: string): string {
  const upper = chain.trim().toUpperCase();
  const trimmed = address.trim();
  return `${upper}:${HEX_CHAINS.has(upper) ? trimmed.toLowerCase() : trimmed}`;
}

export function oauthKey(provider: string, accountId: string): string {
  return `${provider.trim()}:${accountId.trim()}`;
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
