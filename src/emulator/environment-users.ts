import type { OauthAccountPayload, UserPayload, WalletPayload } from '../contract/index.js';
import { FAILURE_CODES } from '../contract/index.js';
import { emailKey, oauthKey, present, usernameKey, walletKey } from '../contract/identity-keys.js';
import { splitPayload, type StoredUser, type UserProfile } from './stored-user.js';

export type ApplyOutcome =
  | { kind: 'created' | 'updated'; user: StoredUser }
  | { kind: 'failed'; code: string; error: string };

/** Side effects of one apply, passed in so tests control ids and time. */
export interface ApplyContext {
  upsert: boolean;
  /** ISO timestamp to stamp on created/updated users. */
  now: string;
  newId: () => string;
}

/**
 * The users of one environment and the unique indexes over their identities. Users are applied
 * one at a time and stored at once, so two users of the same request clash with each other just
 * as they would with users stored earlier.
 */
export class EnvironmentUsers {
  private readonly users = new Map<string, StoredUser>();
  private readonly byEmail = new Map<string, string>();
  private readonly byUsername = new Map<string, string>();
  private readonly byWallet = new Map<string, string>();
  private readonly byOauth = new Map<string, string>();

  constructor(readonly environmentId: string) {}

  get size(): number {
    return this.users.size;
  }

  /** All users, in creation order. */
  all(): StoredUser[] {
    return [...this.users.values()];
  }

  get(id: string): StoredUser | undefined {
    return this.users.get(id);
  }

  delete(id: string): boolean {
    const user = this.users.get(id);
    if (!user) return false;
    this.unindexProfile(user);
    for (const w of user.wallets) this.byWallet.delete(walletKey(w.chain, w.publicWalletAddress));
    for (const a of user.oauthAccounts) this.byOauth.delete(oauthKey(a.provider, a.accountId));
    return this.users.delete(id);
  }

  /** Puts back a user read from the state file, as it was. */
  restore(user: StoredUser): void {
    this.users.set(user.id, user);
    this.indexProfile(user);
    for (const w of user.wallets) this.byWallet.set(walletKey(w.chain, w.publicWalletAddress), user.id);
    for (const a of user.oauthAccounts) this.byOauth.set(oauthKey(a.provider, a.accountId), user.id);
  }

  /** Creates, updates (upsert only) or refuses one submitted user. */
  apply(payload: UserPayload, ctx: ApplyContext): ApplyOutcome {
    const { profile, wallets, oauthAccounts } = splitPayload(payload);
    const existing = ctx.upsert ? this.findForUpsert(profile, wallets, oauthAccounts) : undefined;
    const clash = this.firstClash(profile, wallets, oauthAccounts, existing?.id);
    if (clash) return { kind: 'failed', ...clash };
    if (existing) {
      this.update(existing, profile, wallets, oauthAccounts, ctx);
      return { kind: 'updated', user: existing };
    }
    const user: StoredUser = {
      id: ctx.newId(),
      projectEnvironmentId: this.environmentId,
      profile: {},
      wallets: [],
      oauthAccounts: [],
      emailCredentialId: ctx.newId(),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    this.users.set(user.id, user);
    this.update(user, profile, wallets, oauthAccounts, ctx);
    return { kind: 'created', user };
  }

  /** Upsert looks the user up by email, then by an OAuth account, then by a wallet. */
  private findForUpsert(profile: UserProfile, wallets: WalletPayload[], oauth: OauthAccountPayload[]) {
    const id =
      (present(profile.email) ? this.byEmail.get(emailKey(profile.email)) : undefined) ??
      oauth.map((a) => this.byOauth.get(oauthKey(a.provider, a.accountId))).find(Boolean) ??
      wallets.map((w) => this.byWallet.get(walletKey(w.chain, w.publicWalletAddress))).find(Boolean);
    return id === undefined ? undefined : this.users.get(id);
  }

  /** The first identity of the payload already held by a user other than `selfId`. */
  private firstClash(
    profile: UserProfile,
    wallets: WalletPayload[],
    oauth: OauthAccountPayload[],
    selfId: string | undefined,
  ): { code: string; error: string } | undefined {
    const takenByOther = (owner: string | undefined) => owner !== undefined && owner !== selfId;
    if (present(profile.email) && takenByOther(this.byEmail.get(emailKey(profile.email)))) {
      return { code: FAILURE_CODES.emailAlreadyExists, error: 'A user with this email already exists' };
    }
    if (present(profile.username) && takenByOther(this.byUsername.get(usernameKey(profile.username)))) {
      return { code: FAILURE_CODES.usernameAlreadyExists, error: 'This username is already taken' };
    }
    for (const w of wallets) {
      if (takenByOther(this.byWallet.get(walletKey(w.chain, w.publicWalletAddress)))) {
        return { code: FAILURE_CODES.walletAccountExistsForChain, error: `A ${w.chain} wallet with this address already belongs to another user` };
      }
    }
    for (const a of oauth) {
      if (takenByOther(this.byOauth.get(oauthKey(a.provider, a.accountId)))) {
        return { code: FAILURE_CODES.socialAccountAlreadyExists, error: `This ${a.provider} account is already linked to another user` };
      }
    }
    return undefined;
  }

  /** Given scalar fields replace old ones (metadata whole); accounts are added unless linked. */
  private update(
    user: StoredUser,
    profile: UserProfile,
    wallets: WalletPayload[],
    oauth: OauthAccountPayload[],
    ctx: ApplyContext,
  ): void {
    this.unindexProfile(user);
    const given = Object.fromEntries(Object.entries(profile).filter(([, value]) => value !== undefined));
    user.profile = { ...user.profile, ...given };
    this.indexProfile(user);
    for (const w of wallets) {
      const key = walletKey(w.chain, w.publicWalletAddress);
      if (this.byWallet.has(key)) continue;
      user.wallets.push({ ...w, id: ctx.newId() });
      this.byWallet.set(key, user.id);
    }
    for (const a of oauth) {
      const key = oauthKey(a.provider, a.accountId);
      if (this.byOauth.has(key)) continue;
      user.oauthAccounts.push({ ...a, id: ctx.newId() });
      this.byOauth.set(key, user.id);
    }
    user.updatedAt = ctx.now;
  }

  private indexProfile(user: StoredUser): void {
    if (present(user.profile.email)) this.byEmail.set(emailKey(user.profile.email), user.id);
    if (present(user.profile.username)) this.byUsername.set(usernameKey(user.profile.username), user.id);
  }

  private unindexProfile(user: StoredUser): void {
    if (present(user.profile.email)) this.byEmail.delete(emailKey(user.profile.email));
    if (present(user.profile.username)) this.byUsername.delete(usernameKey(user.profile.username));
  }
}
