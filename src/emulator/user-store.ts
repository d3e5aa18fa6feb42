import { hasSignInMethod } from '../contract/sign-in.js';
import { FAILURE_CODES } from '../contract/index.js';
import type { UserPayload } from '../contract/index.js';
import { EnvironmentUsers } from './environment-users.js';
import type { StoredUser } from './stored-user.js';
import { matchesFilter, type FilterColumn } from './user-filter.js';
import { toApiUser, toFailedUser, type ApiUser } from './user-view.js';

/** The 2xx body of the bulk endpoint. */
export interface BulkOutcome {
  created: ApiUser[];
  updated: ApiUser[];
  /** `user` is the submitted user in the `User` model's field names, so the client can match it back (e.g. by `metadata`). */
  failed: { user: Record<string, unknown>; error: string; code: string }[];
  total: number;
}

export interface UserStoreClock {
  /** @default () => Date.now() */
  now?: () => number;
  /** @default crypto.randomUUID */
  newId?: () => string;
}

/** Serializable content of the store: users per environment, in creation order. */
export type StoreContent = Record<string, StoredUser[]>;

/** All environments' users. Each environment is independent: the same email may exist in two. */
export class UserStore {
  private readonly environments = new Map<string, EnvironmentUsers>();
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(clock: UserStoreClock = {}, content: StoreContent = {}) {
    this.now = clock.now ?? (() => Date.now());
    this.newId = clock.newId ?? (() => crypto.randomUUID());
    for (const [environmentId, users] of Object.entries(content)) {
      const env = this.environment(environmentId);
      for (const user of users) env.restore(user);
    }
  }

  /** Applies a validated bulk request in order; returns per-user outcomes. */
  bulk(environmentId: string, payloads: UserPayload[], options: { upsert: boolean }): BulkOutcome {
    const env = this.environment(environmentId);
    const ctx = { upsert: options.upsert, now: new Date(this.now()).toISOString(), newId: this.newId };
    const outcome: BulkOutcome = { created: [], updated: [], failed: [], total: payloads.length };
    for (const payload of payloads) {
      if (!hasSignInMethod(payload)) {
        outcome.failed.push({ user: toFailedUser(payload), error: 'A user needs an email, a phone number, a wallet or an OAuth account', code: FAILURE_CODES.missingPhoneNumberOrEmail });
        continue;
      }
      const result = env.apply(payload, ctx);
      if (result.kind === 'failed') outcome.failed.push({ user: toFailedUser(payload), error: result.error, code: result.code });
      else if (result.kind === 'created') outcome.created.push(toApiUser(result.user, true));
      else outcome.updated.push(toApiUser(result.user, false));
    }
    return outcome;
  }

  /** One page of the users matching `filter`, and how many match in all. */
  list(
    environmentId: string,
    query: { offset: number; limit: number; filter?: { column: FilterColumn; value: string } },
  ): { count: number; users: ApiUser[] } {
    const env = this.environments.get(environmentId);
    const { filter } = query;
    let matching: StoredUser[];
    if (filter?.column === 'email') {
      // Emails are unique: the index answers what a scan of every user would.
      const user = env?.byEmail(filter.value);
      matching = user ? [user] : [];
    } else {
      const all = env?.all() ?? [];
      matching = filter ? all.filter((u) => matchesFilter(u, filter.column, filter.value)) : all;
    }
    const page = matching.slice(query.offset, query.offset + query.limit);
    return { count: matching.length, users: page.map((u) => toApiUser(u, false)) };
  }

  get(environmentId: string, userId: string): ApiUser | undefined {
    const user = this.environments.get(environmentId)?.get(userId);
    return user && toApiUser(user, false);
  }

  delete(environmentId: string, userId: string): boolean {
    return this.environments.get(environmentId)?.delete(userId) ?? false;
  }

  /** Users stored over all environments. */
  get size(): number {
    let total = 0;
    for (const env of this.environments.values()) total += env.size;
    return total;
  }

  content(): StoreContent {
    const out: StoreContent = {};
    for (const [id, env] of this.environments) if (env.size > 0) out[id] = env.all();
    return out;
  }

  private environment(environmentId: string): EnvironmentUsers {
    let env = this.environments.get(environmentId);
    if (!env) {
      env = new EnvironmentUsers(environmentId);
      this.environments.set(environmentId, env);
    }
    return env;
  }
}
