/**
 * Index keys of the identities a user may hold only once per environment. Case rules follow the
 * identity: emails and usernames are case-insensitive; EVM addresses are hex, so `0xAbC` and
 * `0xabc` are one wallet, and ETH and EVM share one address space; other chains (base58 etc.)
 * are case-sensitive and compared as given.
 */

/** The chains that share one EVM address space (hex, any case). */
export const EVM_CHAINS: ReadonlySet<string> = new Set(['ETH', 'EVM']);

export function emailKey(email: string): string {
  return email.toLowerCase();
}

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

export function walletKey(chain: string, address: string): string {
  return EVM_CHAINS.has(chain) ? `EVM:${address.toLowerCase()}` : `${chain}:${address}`;
}

export function oauthKey(provider: string, accountId: string): string {
  return `${provider}:${accountId}`;
}

/** An empty string or null means "no such identity", as the API's `^$|` patterns allow. */
export function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value !== '';
}
