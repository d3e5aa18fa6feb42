import type { OauthAccountPayload, WalletPayload } from '../contract/index.js';
import { oauthKey, walletKey } from '../contract/identity-keys.js';

/** Wallets and OAuth accounts of one or more users. */
export interface Identities {
  wallets?: readonly WalletPayload[] | undefined;
  oauthAccounts?: readonly OauthAccountPayload[] | undefined;
}

/**
 * The wallets and OAuth accounts of `others` that `own` does not already hold, in order, each
 * once: a wallet by chain and address (EVM addresses ignoring case, ETH and EVM as one chain), an
 * account by provider and account id. What `own` holds is never replaced.
 */
export function mergeIdentities(
  own: readonly Identities[],
  others: readonly Identities[],
): { wallets: WalletPayload[]; oauthAccounts: OauthAccountPayload[] } {
  const walletsSeen = new Set(own.flatMap((user) => (user.wallets ?? []).map((w) => walletKey(w.chain, w.publicWalletAddress))));
  const accountsSeen = new Set(own.flatMap((user) => (user.oauthAccounts ?? []).map((a) => oauthKey(a.provider, a.accountId))));
  const wallets: WalletPayload[] = [];
  const oauthAccounts: OauthAccountPayload[] = [];
  for (const user of others) {
    for (const wallet of user.wallets ?? []) {
      const key = walletKey(wallet.chain, wallet.publicWalletAddress);
      if (walletsSeen.has(key)) continue;
      walletsSeen.add(key);
      wallets.push(wallet);
    }
    for (const account of user.oauthAccounts ?? []) {
      const key = oauthKey(account.provider, account.accountId);
      if (accountsSeen.has(key)) continue;
      accountsSeen.add(key);
      oauthAccounts.push(account);
    }
  }
  return { wallets, oauthAccounts };
}
