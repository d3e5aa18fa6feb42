import { describe, expect, it } from 'vitest';
import type { UserPayload } from '../../../src/contract/index.js';
import { UserStore } from '../../../src/emulator/user-store.js';
import { comparableFromPayload, compareUser, toTargetUser, type ComparableUser } from '../../../src/reconcile/index.js';

const payload: UserPayload = {
  email: 'ada@example.com',
  username: 'ada',
  firstName: 'Ada',
  lastName: 'Lovelace',
  country: 'GB',
  metadata: { legacyId: '7' },
  wallets: [
    { chain: 'ETH', publicWalletAddress: '0xAbCdEf0000000000000000000000000000000001', walletName: 'MetaMask', walletProvider: 'browserExtension' },
    { chain: 'SOL', publicWalletAddress: 'So1anaAddrXyz', walletName: 'Phantom', walletProvider: 'browserExtension' },
  ],
  oauthAccounts: [{ provider: 'github', accountId: '42' }],
};

/** The same user as the emulator lists it. */
const listed = {
  id: 'dyn-1',
  email: 'Ada@Example.com',
  username: 'ada',
  firstName: 'Ada',
  lastName: 'Lovelace',
  country: 'gb',
  metadata: { legacyId: '7' },
  wallets: [
    { chain: 'SOL', publicKey: 'So1anaAddrXyz' },
    { chain: 'ETH', publicKey: '0xabcdef0000000000000000000000000000000001' },
  ],
  oauthAccounts: [{ provider: 'github', accountUsername: 'ada' }],
  verifiedCredentials: [{ format: 'oauth', oauth_provider: 'github', oauth_account_id: '42' }],
};

const expected = comparableFromPayload(payload);
const actual = (overrides: Record<string, unknown> = {}): ComparableUser => toTargetUser({ ...listed, ...overrides }, 'legacyId').fields;

describe('compareUser', () => {
  it('finds nothing when the listed user matches (email and country case, EVM address case and order ignored)', () => {
    expect(compareUser(expected, actual())).toEqual([]);
  });

  it.each([
    ['email', { email: 'other@example.com' }],
    ['username', { username: 'Ada' }],
    ['firstName', { firstName: null }],
    ['lastName', { lastName: 'Byron' }],
    ['country', { country: 'FR' }],
  ])('reports %s when it differs', (field, overrides) => {
    expect(compareUser(expected, actual(overrides))).toEqual([field]);
  });

  it('treats absent, null and blank alike', () => {
    const source = comparableFromPayload({ email: 'a@b.co' });
    expect(compareUser(source, toTargetUser({ id: 'x', email: 'a@b.co', username: '', firstName: null, wallets: [] }, 'legacyId').fields)).toEqual([]);
  });

  it('compares wallets as a set of chain:address', () => {
    expect(compareUser(expected, actual({ wallets: [{ chain: 'SOL', publicKey: 'So1anaAddrXyz' }] }))).toEqual(['wallets']);
    // Solana addresses are case-sensitive (base58), unlike hex EVM addresses.
    const solanaCase = [{ chain: 'SOL', publicKey: 'so1anaaddrxyz' }, { chain: 'ETH', publicKey: '0xabcdef0000000000000000000000000000000001' }];
    expect(compareUser(expected, actual({ wallets: solanaCase }))).toEqual(['wallets']);
    const otherChain = [{ chain: 'ECLIPSE', publicKey: 'So1anaAddrXyz' }, { chain: 'ETH', publicKey: '0xabcdef0000000000000000000000000000000001' }];
    expect(compareUser(expected, actual({ wallets: otherChain }))).toEqual(['wallets']);
    // ETH and EVM are one address space, for reconcile as for the emulator's uniqueness.
    const evm = [{ chain: 'SOL', publicKey: 'So1anaAddrXyz' }, { chain: 'EVM', publicKey: '0xabcdef0000000000000000000000000000000001' }];
    expect(compareUser(expected, actual({ wallets: evm }))).toEqual([]);
  });

  it('compares oauth accounts as a set of provider:accountId', () => {
    const other = [{ format: 'oauth', oauth_provider: 'github', oauth_account_id: '43' }];
    expect(compareUser(expected, actual({ verifiedCredentials: other }))).toEqual(['oauthAccounts']);
    expect(compareUser(expected, actual({ verifiedCredentials: [] }))).toEqual(['oauthAccounts']);
  });

  it('lists every differing field, names only', () => {
    const result = compareUser(expected, actual({ email: null, country: 'US', wallets: [], verifiedCredentials: [] }));
    expect(result).toEqual(['email', 'country', 'wallets', 'oauthAccounts']);
  });
});

describe('toTargetUser', () => {
  it('reads the legacy id from metadata, numbers included, and null when absent', () => {
    expect(toTargetUser(listed, 'legacyId').legacyId).toBe('7');
    expect(toTargetUser({ id: 'a', metadata: { legacyId: 8 } }, 'legacyId').legacyId).toBe('8');
    expect(toTargetUser({ id: 'a', metadata: { other: '8' } }, 'legacyId').legacyId).toBeNull();
    expect(toTargetUser({ id: 'a', metadata: null }, 'legacyId').legacyId).toBeNull();
  });

  it('falls back to blockchain credentials and reads camelCase oauth credentials', () => {
    const user = toTargetUser({
      id: 'a',
      verifiedCredentials: [
        { format: 'blockchain', chain: 'ETH', address: '0xABC' },
        { format: 'oauth', oauthProvider: 'google', oauthAccountId: 'g-1' },
        { format: 'email', email: 'x@y.z' },
      ],
      oauthAccounts: [{ provider: 'discord', accountId: 'd-1' }],
    }, 'legacyId');
    expect(user.fields.wallets).toEqual(['EVM:0xabc']); // the contract's walletKey: ETH and EVM share one space
    expect(user.fields.oauthAccounts).toEqual(['discord:d-1', 'google:g-1']);
  });

  it('never throws on odd shapes', () => {
    expect(toTargetUser({ id: 'a', wallets: 'nope', verifiedCredentials: [null, 3], metadata: 'x' }, 'legacyId').fields).toEqual({
      email: null, username: null, firstName: null, lastName: null, country: null, wallets: [], oauthAccounts: [],
    });
  });
});

describe('reconcile and the emulator agree on what one wallet is', () => {
  const ENV = '00000000-0000-4000-8000-000000000001';
  const wallet = (chain: 'ETH' | 'EVM' | 'SUI' | 'COSMOS', publicWalletAddress: string) =>
    ({ chain, publicWalletAddress, walletName: 'w', walletProvider: 'browserExtension' as const });

  it.each([
    ['an EVM wallet the source now spells as a checksummed ETH one', wallet('EVM', '0xabcdef0000000000000000000000000000000001'), wallet('ETH', '0xAbCdEf0000000000000000000000000000000001')],
    ['a SUI address in other case (hex)', wallet('SUI', `0x${'ab'.repeat(32)}`), wallet('SUI', `0x${'AB'.repeat(32)}`)],
    ['a COSMOS address in upper case (bech32)', wallet('COSMOS', 'cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu'), wallet('COSMOS', 'COSMOS1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5LZV7XU')],
  ])('%s: the emulator holds one wallet, and reconcile sees no drift', (_why, held, mapped) => {
    const store = new UserStore();
    store.bulk(ENV, [{ email: 'ada@example.com', metadata: { legacyId: '7' }, wallets: [held] }], { upsert: false });
    // The emulator's uniqueness: nobody else may take it, and an upsert adds no second wallet.
    const other = store.bulk(ENV, [{ email: 'bob@example.com', wallets: [mapped] }], { upsert: false });
    expect(other.failed.map((f) => f.code)).toEqual(['wallet_account_exists_for_chain']);
    const source: UserPayload = { email: 'ada@example.com', metadata: { legacyId: '7' }, wallets: [mapped] };
    const [updated] = store.bulk(ENV, [source], { upsert: true }).updated;
    expect(updated?.wallets).toHaveLength(1);
    // Reconcile compares the same keys: no wallet drift between the row and what Dynamic lists.
    expect(compareUser(comparableFromPayload(source), toTargetUser(updated!, 'legacyId').fields)).toEqual([]);
  });
});
