import type { OauthAccountPayload, WalletPayload } from '../contract/index.js';
import { emailKey, oauthKey, present, usernameKey, walletKey } from '../contract/identity-keys.js';
import type { UserProfile } from './stored-user.js';

/** The unique-index keys of one submitted user, computed once per apply (lookup, clash check, insert). */
export interface PayloadKeys {
  email: string | undefined;
  username: string | undefined;
  /** One per submitted wallet, same order. */
  wallets: string[];
  /** One per submitted OAuth account, same order. */
  oauth: string[];
}

export function payloadKeys(profile: UserProfile, wallets: readonly WalletPayload[], oauth: readonly OauthAccountPayload[]): PayloadKeys {
  return {
    email: present(profile.email) ? emailKey(profile.email) : undefined,
    username: present(profile.username) ? usernameKey(profile.username) : undefined,
    wallets: wallets.map((w) => walletKey(w.chain, w.publicWalletAddress)),
    oauth: oauth.map((a) => oauthKey(a.provider, a.accountId)),
  };
}
