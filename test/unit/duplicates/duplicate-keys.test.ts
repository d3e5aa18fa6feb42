import { describe, expect, it } from 'vitest';
import { identityKeysOf } from '../../../src/duplicates/index.js';
import { emailKey, oauthKey, usernameKey, walletKey } from '../../../src/contract/identity-keys.js';

const wallet = (chain: 'ETH' | 'EVM' | 'SOL', address: string) => ({ publicWalletAddress: address, chain, walletName: 'w', walletProvider: 'browserExtension' as const });

describe('identityKeysOf', () => {
  it('normalises as the emulator indexes: emails and usernames ignoring case, EVM hex ignoring case, ETH = EVM', () => {
    const keys = identityKeysOf({
      email: 'Jane.Doe@Example.COM',
      username: 'JaneD',
      wallets: [wallet('ETH', '0xABCdef0000000000000000000000000000000001'), wallet('SOL', 'So1AnaCaseMatters')],
      oauthAccounts: [{ provider: 'google', accountId: 'AbC123' }],
    });
    expect(keys.map((k) => [k.kind, k.normalised, k.field])).toEqual([
      ['email', emailKey('Jane.Doe@Example.COM'), 'email'],
      ['username', usernameKey('JaneD'), 'username'],
      ['wallet', walletKey('ETH', '0xABCdef0000000000000000000000000000000001'), 'wallets'],
      ['wallet', walletKey('SOL', 'So1AnaCaseMatters'), 'wallets'],
      ['oauth', oauthKey('google', 'AbC123'), 'oauthAccounts'],
    ]);
    expect(keys[2]?.normalised).toBe('EVM:0xabcdef0000000000000000000000000000000001');
    // Base58 is case-sensitive: left as given. OAuth account ids too.
    expect(keys[3]?.normalised).toBe('SOL:So1AnaCaseMatters');
    expect(keys[4]?.normalised).toBe('google:AbC123');
  });

  it('treats an ETH and an EVM wallet with the same address in other case as one identity, listed once', () => {
    const keys = identityKeysOf({ wallets: [wallet('ETH', '0xAAAA000000000000000000000000000000000001'), wallet('EVM', '0xaaaa000000000000000000000000000000000001')] });
    expect(keys).toHaveLength(1);
    expect(walletKey('EVM', '0xaaaa000000000000000000000000000000000001')).toBe(walletKey('ETH', '0xAAAA000000000000000000000000000000000001'));
  });

  it('ignores absent and empty identities', () => {
    expect(identityKeysOf({ email: '', username: null, metadata: { legacyId: '1' } })).toEqual([]);
  });
});
