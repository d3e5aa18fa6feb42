import type { OauthAccountPayload, UserPayload, WalletPayload } from '../contract/index.js';
import { emailKey } from '../contract/identity-keys.js';
import { IdentityIndexes } from './identity-indexes.js';
import { payloadKeys, type PayloadKeys } from './payload-keys.js';
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
  private readonly indexes = new IdentityIndexes();

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

  /** The user holding this email (case-insensitive), from the unique index: a look-up costs no scan. */
  byEmail(email: string): StoredUser | undefined {
    const id = this.indexes.byEmail.get(emailKey(email));
    return id === undefined ? undefined : this.users.get(id);
  }

  delete(id: string): boolean {
    const user = this.users.get(id);
    if (!user) return false;
    this.indexes.unindexProfile(user);
    this.indexes.accounts(user, true);
    return this.users.delete(id);
  }

  /** Puts back a user read from the state file, as it was. */
  restore(user: StoredUser): void {
    this.users.set(user.id, user);
    this.indexes.indexProfile(user);
    this.indexes.accounts(user);
  }

  /** Creates, updates (upsert only) or refuses one submitted user. */
  apply(payload: UserPayload, ctx: ApplyContext): ApplyOutcome {
    const { profile, wallets, oauthAccounts } = splitPayload(payload);
    const keys = payloadKeys(profile, wallets, oauthAccounts);
    const ownerId = ctx.upsert ? this.indexes.ownerForUpsert(keys) : undefined;
    const existing = ownerId === undefined ? undefined : this.users.get(ownerId);
    const clash = this.indexes.firstClash(keys, wallets, oauthAccounts, existing?.id);
    if (clash) return { kind: 'failed', ...clash };
    if (existing) {
      this.update(existing, profile, wallets, oauthAccounts, keys, ctx);
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
    this.update(user, profile, wallets, oauthAccounts, keys, ctx);
    return { kind: 'created', user };
  }

  /** Given scalar fields replace old ones (metadata whole); accounts are added unless linked. */
  private update(
    user: StoredUser,
    profile: UserProfile,
    wallets: WalletPayload[],
    oauth: OauthAccountPayload[],
    keys: PayloadKeys,
    ctx: ApplyContext,
  ): void {
    const { byWallet, byOauth } = this.indexes;
    this.indexes.unindexProfile(user);
    const merged: Record<string, unknown> = { ...user.profile };
    for (const [field, value] of Object.entries(profile)) if (value !== undefined) merged[field] = value;
    user.profile = merged as UserProfile;
    this.indexes.indexProfile(user);
    wallets.forEach((w, i) => {
      const key = keys.wallets[i];
      if (key === undefined || byWallet.has(key)) return;
      user.wallets.push({ ...w, id: ctx.newId() });
      byWallet.set(key, user.id);
    });
    oauth.forEach((a, i) => {
      const key = keys.oauth[i];
      if (key === undefined || byOauth.has(key)) return;
      user.oauthAccounts.push({ ...a, id: ctx.newId() });
      byOauth.set(key, user.id);
    });
    user.updatedAt = ctx.now;
  }
}
