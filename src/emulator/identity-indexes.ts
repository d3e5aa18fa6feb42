import type { OauthAccountPayload, WalletPayload } from '../contract/index.js';
import { FAILURE_CODES } from '../contract/index.js';
import { emailKey, oauthKey, present, usernameKey, walletKey } from '../contract/identity-keys.js';
import type { PayloadKeys } from './payload-keys.js';
import type { StoredUser } from './stored-user.js';

/** Whether `key` is indexed to a user other than `selfId`. */
function takenByOther(index: ReadonlyMap<string, string>, key: string | undefined, selfId: string | undefined): boolean {
  if (key === undefined) return false;
  const owner = index.get(key);
  return owner !== undefined && owner !== selfId;
}

/** The unique indexes of one environment: identity key → user id, one map per kind of identity. */
export class IdentityIndexes {
  readonly byEmail = new Map<string, string>();
  readonly byUsername = new Map<string, string>();
  readonly byWallet = new Map<string, string>();
  readonly byOauth = new Map<string, string>();

  /** Upsert looks the user up by email, then by an OAuth account, then by a wallet. */
  ownerForUpsert(keys: PayloadKeys): string | undefined {
    return (
      (keys.email === undefined ? undefined : this.byEmail.get(keys.email)) ??
      keys.oauth.map((key) => this.byOauth.get(key)).find(Boolean) ??
      keys.wallets.map((key) => this.byWallet.get(key)).find(Boolean)
    );
  }

  /** The first identity of the payload already held by a user other than `selfId`. */
  firstClash(keys: PayloadKeys, wallets: WalletPayload[], oauth: OauthAccountPayload[], selfId: string | undefined) {
    if (takenByOther(this.byEmail, keys.email, selfId)) {
      return { code: FAILURE_CODES.emailAlreadyExists, error: 'A user with this email already exists' };
    }
    if (takenByOther(this.byUsername, keys.username, selfId)) {
      return { code: FAILURE_CODES.usernameAlreadyExists, error: 'This username is already taken' };
    }
    for (let i = 0; i < keys.wallets.length; i++) {
      if (takenByOther(this.byWallet, keys.wallets[i], selfId)) {
        return { code: FAILURE_CODES.walletAccountExistsForChain, error: `A ${wallets[i]?.chain} wallet with this address already belongs to another user` };
      }
    }
    for (let i = 0; i < keys.oauth.length; i++) {
      if (takenByOther(this.byOauth, keys.oauth[i], selfId)) {
        return { code: FAILURE_CODES.socialAccountAlreadyExists, error: `This ${oauth[i]?.provider} account is already linked to another user` };
      }
    }
    return undefined;
  }

  indexProfile(user: StoredUser): void {
    if (present(user.profile.email)) this.byEmail.set(emailKey(user.profile.email), user.id);
    if (present(user.profile.username)) this.byUsername.set(usernameKey(user.profile.username), user.id);
  }

  unindexProfile(user: StoredUser): void {
    if (present(user.profile.email)) this.byEmail.delete(emailKey(user.profile.email));
    if (present(user.profile.username)) this.byUsername.delete(usernameKey(user.profile.username));
  }

  /** Indexes (or, with `remove`, unindexes) every linked account of a stored user. */
  accounts(user: StoredUser, remove = false): void {
    for (const w of user.wallets) {
      const key = walletKey(w.chain, w.publicWalletAddress);
      if (remove) this.byWallet.delete(key);
      else this.byWallet.set(key, user.id);
    }
    for (const a of user.oauthAccounts) {
      const key = oauthKey(a.provider, a.accountId);
      if (remove) this.byOauth.delete(key);
      else this.byOauth.set(key, user.id);
    }
  }
}
