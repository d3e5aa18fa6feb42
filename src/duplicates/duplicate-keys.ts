import type { UserPayload } from '../contract/index.js';

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

/** ETH and EVM share one hex address space (as in the emulator's `identity-keys.ts`). */
const EVM_CHAINS: ReadonlySet<string> = new Set(['ETH', 'EVM']);

/** Emails and usernames are compared ignoring case. */
export function caseInsensitiveKey(value: string): string {
  return value.toLowerCase();
}

/**
 * A wallet per chain: EVM addresses are hex, so `0xAbC` and `0xabc` are one wallet and ETH and
 * EVM are one chain; other chains (base58, bech32) are case-sensitive and compared as given.
 */
export function walletIdentity(chain: string, address: string): string {
  return EVM_CHAINS.has(chain) ? `EVM:${address.toLowerCase()}` : `${chain}:${address}`;
}

/** An OAuth account is its provider and the provider's account id, compared exactly. */
export function oauthIdentity(provider: string, accountId: string): string {
  return `${provider}:${accountId}`;
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
  if (present(payload.email)) add('email', caseInsensitiveKey(payload.email), 'email');
  if (present(payload.username)) add('username', caseInsensitiveKey(payload.username), 'username');
  for (const wallet of payload.wallets ?? []) {
    if (present(wallet.publicWalletAddress)) add('wallet', walletIdentity(wallet.chain, wallet.publicWalletAddress), 'wallets');
  }
  for (const account of payload.oauthAccounts ?? []) {
    if (present(account.accountId)) add('oauth', oauthIdentity(account.provider, account.accountId), 'oauthAccounts');
  }
  return [...keys.values()];
}

function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value !== '';
}
