import { describe, expect, it } from 'vitest';
import type { UserPayload } from '../../../src/contract/index.js';
import { UserStore } from '../../../src/emulator/user-store.js';

const ENV = '00000000-0000-4000-8000-000000000001';
const OTHER_ENV = '00000000-0000-4000-8000-000000000002';

function newStore() {
  let n = 0;
  return new UserStore({ now: () => Date.parse('2025-01-01T00:00:00Z'), newId: () => `id-${++n}` });
}

const wallet = (address: string, chain: 'ETH' | 'EVM' | 'SOL' = 'ETH') => ({
  publicWalletAddress: address,
  chain,
  walletName: 'metamask',
  walletProvider: 'browserExtension' as const,
});
const google = (accountId: string) => ({ provider: 'google' as const, accountId });

describe('UserStore.bulk without upsert', () => {
  it('creates users and renders them like the API', () => {
    const store = newStore();
    const out = store.bulk(ENV, [{ email: 'a@x.io', metadata: { legacyId: '1' }, wallets: [wallet('0xAB')], oauthAccounts: [google('g1')] }], { upsert: false });
    expect(out.total).toBe(1);
    expect(out.failed).toEqual([]);
    const user = out.created[0]!;
    expect(user).toMatchObject({
      projectEnvironmentId: ENV,
      email: 'a@x.io',
      metadata: { legacyId: '1' },
      newUser: true,
      wallets: [{ name: 'metamask', chain: 'ETH', publicKey: '0xAB', provider: 'browserExtension' }],
      oauthAccounts: [{ provider: 'google' }],
    });
    const formats = (user.verifiedCredentials as { format: string }[]).map((c) => c.format);
    expect(formats).toEqual(['blockchain', 'email', 'oauth']);
    expect(store.size).toBe(1);
  });

  it('refuses an email already taken, case-insensitively, even within one request', () => {
    const store = newStore();
    const out = store.bulk(ENV, [{ email: 'Bob@X.io' }, { email: 'bob@x.IO', metadata: { legacyId: '2' } }], { upsert: false });
    expect(out.created).toHaveLength(1);
    expect(out.failed).toEqual([{ user: { email: 'bob@x.IO', metadata: { legacyId: '2' } }, error: expect.any(String), code: 'email_already_exists' }]);
    expect(store.bulk(ENV, [{ email: 'BOB@x.io' }], { upsert: false }).failed[0]?.code).toBe('email_already_exists');
  });

  it('refuses a taken username, wallet (EVM case-insensitive) or OAuth account', () => {
    const store = newStore();
    store.bulk(ENV, [{ email: 'a@x.io', username: 'Alice', wallets: [wallet('0xAbC')], oauthAccounts: [google('g1')] }], { upsert: false });
    const out = store.bulk(ENV, [
      { email: 'b@x.io', username: 'alice' },
      { email: 'c@x.io', wallets: [wallet('0xabc', 'EVM')] },
      { email: 'd@x.io', oauthAccounts: [google('g1')] },
    ], { upsert: false });
    expect(out.failed.map((f) => f.code)).toEqual(['username_already_exists', 'wallet_account_exists_for_chain', 'social_account_already_exists']);
    expect(store.size).toBe(1);
  });

  it('compares non-EVM addresses exactly', () => {
    const store = newStore();
    store.bulk(ENV, [{ wallets: [wallet('So1AbC', 'SOL')] }], { upsert: false });
    expect(store.bulk(ENV, [{ wallets: [wallet('so1abc', 'SOL')] }], { upsert: false }).created).toHaveLength(1);
    expect(store.bulk(ENV, [{ wallets: [wallet('So1AbC', 'SOL')] }], { upsert: false }).failed).toHaveLength(1);
  });

  it('refuses a user with no email, phone number, wallet or OAuth account, as Dynamic does, and creates the others of the request', () => {
    const store = newStore();
    const result = store.bulk(ENV, [{ firstName: 'Nobody' }, { email: '', phoneNumber: '' }, { email: 'some@x.io' }, { wallets: [wallet('0xb')] }], { upsert: false });
    expect(result.failed.map((failure) => failure.code)).toEqual(['missing_phone_number_or_email', 'missing_phone_number_or_email']);
    expect(result.created).toHaveLength(2);
  });

  it('keeps environments independent', () => {
    const store = newStore();
    store.bulk(ENV, [{ email: 'a@x.io' }], { upsert: false });
    expect(store.bulk(OTHER_ENV, [{ email: 'a@x.io' }], { upsert: false }).created).toHaveLength(1);
    expect(store.list(ENV, { offset: 0, limit: 100 }).count).toBe(1);
  });
});

describe('UserStore.bulk with upsert', () => {
  const seed = (store: UserStore) =>
    store.bulk(ENV, [{ email: 'a@x.io', firstName: 'Ann', username: 'ann', metadata: { legacyId: '1', old: true }, wallets: [wallet('0xAA')], oauthAccounts: [google('g1')] }], { upsert: false }).created[0]!;

  it('updates the user found by email: fields replaced, metadata replaced, accounts added', () => {
    const store = newStore();
    const original = seed(store);
    const out = store.bulk(ENV, [{ email: 'A@X.io', lastName: 'Lee', metadata: { legacyId: '1' }, wallets: [wallet('0xaa'), wallet('0xBB')] }], { upsert: true });
    expect(out.created).toEqual([]);
    const user = out.updated[0]!;
    expect(user).toMatchObject({ id: original.id, firstName: 'Ann', lastName: 'Lee', email: 'A@X.io', metadata: { legacyId: '1' }, newUser: false });
    expect((user.wallets as { publicKey: string }[]).map((w) => w.publicKey)).toEqual(['0xAA', '0xBB']);
    expect(store.size).toBe(1);
  });

  it('finds the user by an OAuth account, else by a wallet', () => {
    const store = newStore();
    const original = seed(store);
    expect(store.bulk(ENV, [{ email: 'new@x.io', oauthAccounts: [google('g1')] }], { upsert: true }).updated[0]).toMatchObject({ id: original.id, email: 'new@x.io' });
    expect(store.bulk(ENV, [{ jobTitle: 'CTO', wallets: [wallet('0xaa', 'EVM')] }], { upsert: true }).updated[0]).toMatchObject({ id: original.id, jobTitle: 'CTO' });
    // The old email is free again after the change.
    expect(store.bulk(ENV, [{ email: 'a@x.io' }], { upsert: false }).created).toHaveLength(1);
  });

  it('fails on a username, wallet or OAuth account of a different user', () => {
    const store = newStore();
    seed(store);
    store.bulk(ENV, [{ email: 'b@x.io' }], { upsert: false });
    const out = store.bulk(ENV, [
      { email: 'b@x.io', username: 'ANN' },
      { email: 'b@x.io', wallets: [wallet('0xAA')] },
      { email: 'b@x.io', oauthAccounts: [google('g1')] },
      { email: 'c@x.io', username: 'ann' },
    ], { upsert: true });
    expect(out.failed.map((f) => f.code)).toEqual([
      'username_already_exists', 'wallet_account_exists_for_chain', 'social_account_already_exists', 'username_already_exists',
    ]);
    expect(store.size).toBe(2);
  });

  it('creates a user nobody matches, and a second copy within the request updates it', () => {
    const store = newStore();
    const users: UserPayload[] = [{ email: 'z@x.io', firstName: 'Z' }, { email: 'Z@x.io', lastName: 'Zed' }];
    const out = store.bulk(ENV, users, { upsert: true });
    expect(out.created).toHaveLength(1);
    expect(out.updated[0]).toMatchObject({ id: out.created[0]!.id, firstName: 'Z', lastName: 'Zed' });
  });
});

describe('UserStore list, get, delete', () => {
  it('pages in creation order and filters by column', () => {
    const store = newStore();
    store.bulk(ENV, Array.from({ length: 5 }, (_, i) => ({ email: `u${i}@x.io`, username: `user${i}` })), { upsert: false });
    const page = store.list(ENV, { offset: 1, limit: 2 });
    expect(page.count).toBe(5);
    expect(page.users.map((u) => u.email)).toEqual(['u1@x.io', 'u2@x.io']);
    expect(store.list(ENV, { offset: 0, limit: 100, filter: { column: 'email', value: 'U3@X.IO' } }).users.map((u) => u.email)).toEqual(['u3@x.io']);
    expect(store.list(ENV, { offset: 0, limit: 100, filter: { column: 'username', value: 'USER4' } }).count).toBe(1);
    expect(store.list(ENV, { offset: 0, limit: 100, filter: { column: 'all', value: 'USER' } }).count).toBe(5);
  });

  it('gets and deletes by id, freeing the identities', () => {
    const store = newStore();
    const user = store.bulk(ENV, [{ email: 'a@x.io', wallets: [wallet('0x1')] }], { upsert: false }).created[0]!;
    expect(store.get(ENV, user.id)).toMatchObject({ email: 'a@x.io' });
    expect(store.get(OTHER_ENV, user.id)).toBeUndefined();
    expect(store.delete(ENV, user.id)).toBe(true);
    expect(store.delete(ENV, user.id)).toBe(false);
    expect(store.bulk(ENV, [{ email: 'a@x.io', wallets: [wallet('0x1')] }], { upsert: false }).created).toHaveLength(1);
  });
});
