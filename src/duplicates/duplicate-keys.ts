import type { UserPayload } from '../contract/index.js';
import type { IdentityKind } from '../shared/mask.js';
// Normalised exactly as the emulator indexes them: one definition of Dynamic's uniqueness rules.
import { emailKey, oauthKey, present, usernameKey, walletKey } from '../contract/identity-keys.js';

/** What two users may share that Dynamic holds only once per environment. */
/** A duplicates policy's kinds are the identities a payload carries. */
export type DuplicateKind = IdentityKind;

/** The payload field each kind comes from, for rejections and reports. */
export const FIELD_OF_KIND: Readonly<Record<DuplicateKind, string>> = { email: 'email', username: 'username', wallet: 'wallets', oauth: 'oauthAccounts' };

/** One identity of a payload, normalised the way Dynamic compares it. */
export interface IdentityKey {
  kind: DuplicateKind;
  /** The normalised value, e.g. `EVM:0xabc…` or `google:1234`: personal data, never written out. */
  normalised: string;
  /** The payload field it comes from, for rejections: `email`, `username`, `wallets`, `oauthAccounts`. */
  field: string;
}

/**
 * Calls `visit` with every identity of a payload that Dynamic refuses to give two users, without
 * building a list (the report calls it for every row). A user listing the same wallet twice is
 * visited twice: callers that care dedupe. Empty strings mean "none", as in the API.
 */
export function forEachIdentity(payload: UserPayload, visit: (kind: DuplicateKind, normalised: string) => void): void {
  if (present(payload.email)) visit('email', emailKey(payload.email));
  if (present(payload.username)) visit('username', usernameKey(payload.username));
  const wallets = payload.wallets;
  if (wallets) for (const wallet of wallets) if (present(wallet.publicWalletAddress)) visit('wallet', walletKey(wallet.chain, wallet.publicWalletAddress));
  const accounts = payload.oauthAccounts;
  if (accounts) for (const account of accounts) if (present(account.accountId)) visit('oauth', oauthKey(account.provider, account.accountId));
}

/**
 * Every identity of a payload that Dynamic refuses to give two users, each once (a user listing
 * the same wallet twice does not clash with itself).
 */
export function identityKeysOf(payload: UserPayload): IdentityKey[] {
  const keys = new Map<string, IdentityKey>();
  forEachIdentity(payload, (kind, normalised) => {
    const id = `${kind}\u0000${normalised}`;
    if (!keys.has(id)) keys.set(id, { kind, normalised, field: FIELD_OF_KIND[kind] });
  });
  return [...keys.values()];
}
