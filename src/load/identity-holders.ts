import { createHash } from 'node:crypto';
import { listUsersResponseSchema, type UserPayload } from '../contract/index.js';
import { emailKey, oauthKey, present, usernameKey, walletKey } from '../contract/identity-keys.js';
import { LoadError } from '../errors.js';
import { developerRequest, httpFailure, type AnswerReading, type DeveloperRequestOptions } from './developer-request.js';
import { parseJson } from './server-answer.js';

/** A user as the list endpoint returns it: loose JSON. */
export type ApiUserRecord = Record<string, unknown>;

/** The list endpoint's filter columns that find a user by one identity. */
export type IdentityColumn = 'email' | 'username' | 'walletPublicKey' | 'accountId' | 'phoneNumber';

/**
 * One identity of a user that Dynamic gives to one user only, as the contract's keys spell it
 * (`email:ann@x.io`, `wallet:EVM:0xab…`, `oauth:google:123`, `username:ann`, `phone:+1…`), with the
 * list filter that finds its holder.
 */
export interface Identity {
  key: string;
  column: IdentityColumn;
  value: string;
}

/** Whoever holds an identity in Dynamic. */
export interface IdentityHolder {
  id: string;
  /** `metadata[legacyIdKey]` as text; null when it carries none. */
  legacyId: string | null;
  user: ApiUserRecord;
}

/**
 * The identities of a payload, in the order that finds a user fastest: email, OAuth accounts,
 * wallets, username, phone. Pure.
 */
export function identitiesOf(payload: UserPayload): Identity[] {
  const identities: Identity[] = [];
  if (present(payload.email)) identities.push({ key: `email:${emailKey(payload.email)}`, column: 'email', value: payload.email });
  for (const a of payload.oauthAccounts ?? []) identities.push({ key: `oauth:${oauthKey(a.provider, a.accountId)}`, column: 'accountId', value: a.accountId });
  for (const w of payload.wallets ?? []) {
    identities.push({ key: `wallet:${walletKey(w.chain, w.publicWalletAddress)}`, column: 'walletPublicKey', value: w.publicWalletAddress });
  }
  if (present(payload.username)) identities.push({ key: `username:${usernameKey(payload.username)}`, column: 'username', value: payload.username });
  if (present(payload.phoneNumber)) identities.push({ key: `phone:${payload.phoneNumber}`, column: 'phoneNumber', value: payload.phoneNumber });
  return identities;
}

/**
 * An identity read back from a checkpoint, keyed as `identitiesOf` keys it today: a wallet's key
 * follows `walletKey`'s rules, which compare more chains' addresses without case than they once
 * did, so a key saved before would call the same wallet another one.
 */
export function rekeyed(identity: Identity): Identity {
  if (identity.column !== 'walletPublicKey' || !identity.key.startsWith('wallet:')) return identity;
  const space = identity.key.slice('wallet:'.length, identity.key.indexOf(':', 'wallet:'.length));
  return { ...identity, key: `wallet:${walletKey(space, identity.value)}` };
}

/**
 * Whether the payload has an identity the API refuses to give twice (email, username, wallet,
 * OAuth account): then sending it again without upsert cannot create a second user.
 */
export function hasUniqueIdentity(payload: UserPayload): boolean {
  return identitiesOf(payload).some((identity) => identity.column !== 'phoneNumber');
}

/** A hash of the identities a payload claims: when it changes, an upsert could reach another account. */
export function identityHash(payload: UserPayload): string {
  const keys = identitiesOf(payload).map((identity) => identity.key).sort();
  return createHash('sha256').update(JSON.stringify(keys)).digest('base64url').slice(0, 22);
}

/** The identity keys a listed user holds, read from its fields, wallets and verified credentials. Pure. */
export function identityKeysOfUser(user: ApiUserRecord): Set<string> {
  const keys = new Set<string>();
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const email = text(user.email);
  if (email) keys.add(`email:${emailKey(email)}`);
  const username = text(user.username);
  if (username) keys.add(`username:${usernameKey(username)}`);
  const phone = text(user.phoneNumber);
  if (phone) keys.add(`phone:${phone}`);
  for (const w of records(user.wallets)) {
    const chain = text(w.chain);
    const address = text(w.publicKey) ?? text(w.address) ?? text(w.publicWalletAddress);
    if (chain && address) keys.add(`wallet:${walletKey(chain, address)}`);
  }
  for (const a of records(user.oauthAccounts)) {
    const provider = text(a.provider);
    const accountId = text(a.accountId);
    if (provider && accountId) keys.add(`oauth:${oauthKey(provider, accountId)}`);
  }
  for (const c of records(user.verifiedCredentials)) {
    if (c.format === 'blockchain') {
      const chain = text(c.chain);
      const address = text(c.address);
      if (chain && address) keys.add(`wallet:${walletKey(chain, address)}`);
    } else if (c.format === 'oauth') {
      const provider = text(c.oauth_provider) ?? text(c.oauthProvider);
      const accountId = text(c.oauth_account_id) ?? text(c.oauthAccountId);
      if (provider && accountId) keys.add(`oauth:${oauthKey(provider, accountId)}`);
    } else if (c.format === 'email') {
      const address = text(c.email);
      if (address) keys.add(`email:${emailKey(address)}`);
    }
  }
  return keys;
}

/** Users read per page of a look-up: one is the norm, more means a loose match. */
const LOOKUP_PAGE = 20;
/** Pages a look-up reads before it gives up on finding the exact holder among loose matches. */
const LOOKUP_PAGES = 5;

/**
 * The users of the environment holding `identity`, through `GET .../users?filter[filterColumn]=…`
 * (read-only, retried as the loader retries, one slot of the developer-endpoint limiter per
 * attempt). The answer is checked here too, so an API that matches loosely (substrings, another
 * provider's account id, another chain's address) cannot make someone the holder who is not; and
 * it is read page after page while pages come full, so the exact holder cannot hide behind loose
 * matches. A look-up still full after {@link LOOKUP_PAGES} pages cannot tell: it throws.
 * @throws LoadError when the look-up cannot succeed (401/403/404, retries exhausted, too many matches).
 */
export async function findIdentityHolders(identity: Identity, legacyIdKey: string, options: DeveloperRequestOptions): Promise<IdentityHolder[]> {
  const holders: IdentityHolder[] = [];
  let offset = 0;
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    const query = new URLSearchParams({
      'filter[filterColumn]': identity.column, 'filter[filterValue]': identity.value, offset: String(offset), limit: String(LOOKUP_PAGE),
    });
    const { users, count } = await developerRequest(`/users?${query.toString()}`, { what: `looking a user up by ${identity.column}` }, readUsers, options);
    for (const user of users) {
      if (identityKeysOfUser(user).has(identity.key)) holders.push({ id: String(user.id ?? ''), legacyId: legacyIdOf(user, legacyIdKey), user });
    }
    // The answer's own count says when all matches were read (an API may cap `limit` below ours).
    offset += users.length;
    if (users.length === 0 || offset >= count) return holders;
  }
  throw new LoadError(`looking a user up by ${identity.column} matched more than ${LOOKUP_PAGE * LOOKUP_PAGES} users: cannot tell who holds it`, { code: 'lookup_ambiguous' });
}

/** `metadata[legacyIdKey]` of a listed user, as text; null when absent. */
export function legacyIdOf(user: ApiUserRecord, legacyIdKey: string): string | null {
  const metadata = typeof user.metadata === 'object' && user.metadata !== null ? (user.metadata as Record<string, unknown>) : {};
  const value = metadata[legacyIdKey];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

function readUsers(response: Response, text: string): AnswerReading<{ users: ApiUserRecord[]; count: number }> {
  if (!response.ok) return httpFailure(response);
  const parsed = listUsersResponseSchema.safeParse(parseJson(text));
  if (parsed.success) return { done: { users: parsed.data.users as ApiUserRecord[], count: parsed.data.count } };
  return { failure: { kind: 'invalid_response' }, reason: `a ${response.status} answer that is not a user list` };
}

function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];
}
