/**
 * Index keys of the identities Dynamic gives one user only per environment: the one definition
 * that the emulator (uniqueness), the duplicate detector, the loader's look-ups and reconcile use.
 *
 * Emails and usernames are case-insensitive. A wallet is its chain's address space plus the
 * address; the contract states no case rule, so the letter case of an address is ignored exactly
 * where its encoding gives case no meaning:
 * - hex (ETH, EVM, SUI, APTOS, STARK, FLOW, TON's raw `0:…` form): case is at most a checksum
 *   (EIP-55), so `0xAbC` and `0xabc` are one wallet;
 * - bech32 (COSMOS, BTC's `bc1`/`tb1`/`bcrt1`): BIP-173 makes the all-upper and all-lower forms
 *   one address;
 * - base58, base64 and anything else (SOL, ECLIPSE, TRON, BTC `1…`/`3…`, TON's friendly form,
 *   ALGO, SPARK): case is data, compared as given.
 * ETH and EVM share one address space. Nothing else is rewritten (no trimming, no leading zeros
 * restored): a guess there could merge two people. An OAuth account is the provider and the
 * provider's own account id, compared as given: the id is opaque, and the same id at another
 * provider is another account.
 */

/** The chains that share one EVM address space (hex, any case). */
export const EVM_CHAINS: ReadonlySet<string> = new Set(['ETH', 'EVM']);

/** Chains whose addresses are written in hex. */
const HEX_CHAINS: ReadonlySet<string> = new Set(['ETH', 'EVM', 'SUI', 'APTOS', 'STARK', 'FLOW']);

/** Whether an address's letter case carries no identity on its chain (see the module comment). */
function caseFree(chain: string, address: string): boolean {
  if (HEX_CHAINS.has(chain) || chain === 'COSMOS') return true;
  if (chain === 'BTC') return /^(bc|tb|bcrt)1/i.test(address);
  if (chain === 'TON') return /^-?\d+:/.test(address);
  return false;
}

export function emailKey(email: string): string {
  return email.toLowerCase();
}

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** `EVM:0xabc…`, `COSMOS:cosmos1…`, `SOL:So1…`: one string per wallet Dynamic can hold once. */
export function walletKey(chain: string, address: string): string {
  const space = EVM_CHAINS.has(chain) ? 'EVM' : chain;
  return `${space}:${caseFree(chain, address) ? address.toLowerCase() : address}`;
}

/** `google:1234`: the provider and its account id, as given. */
export function oauthKey(provider: string, accountId: string): string {
  return `${provider}:${accountId}`;
}

/** An empty string or null means "no such identity", as the API's `^$|` patterns allow. */
export function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value !== '';
}
