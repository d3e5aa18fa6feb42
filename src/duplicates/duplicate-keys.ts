import type { UserPayload } from '../contract/index.js';
// Normalised exactly as the emulator indexes them: one definition of Dynamic's uniqueness rules.
import { emailKey, oauthKey, present, usernameKey, walletKey } from '../contract/identity-keys.js';

/** What two users may share that Dynamic holds only once per environment. */
export type DuplicateKind = 'email' | 'username' | 'wallet' | 'oauth';

/** One identity of a payload, normalised the way Dynamic compares it. */
export interface IdentityKey {
  kind: DuplicateKind;
  /** The normalised value, e.g. `EVM:0xabc…` or `google:1234`: personal data, never written out. */
  normalised: string;
  /** The payload field it comes from, for rejections: `email`, `username`, `wallets`, `oauthAccounts`. */
  field: string;
}

/**
 * Every identity of a payload that Dynamic refuses to give two users, each once (a user listing
 * the same wallet twice does not clash with itself). Empty strings mean "none", as in the API.
 */
export function identityKeysOf(payload: UserPayload): IdentityKey[] {
  const keys = new Map<string, IdentityKey>();
  const add = (kind: DuplicateKind, normalised: string, field: string) => {
    const id = `${kind}\u0000${normalised}`;
    if (!keys.has(id)) keys.set(id, { kind, normalised, field });
  };
  if (present(payload.email)) add('email', emailKey(payload.email), 'email');
  if (present(payload.username)) add('username', usernameKey(payload.username), 'username');
  for (const wallet of payload.wallets ?? []) {
    if (present(wallet.publicWalletAddress)) add('wallet', walletKey(wallet.chain, wallet.publicWalletAddress), 'wallets');
  }
  for (const account of payload.oauthAccounts ?? []) {
    if (present(account.accountId)) add('oauth', oauthKey(account.provider, account.accountId), 'oauthAccounts');
  }
  return [...keys.values()];
}

