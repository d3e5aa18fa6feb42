import { describe, expect, it } from 'vitest';
import type { UserPayload } from '../../../src/contract/index.js';
import { createDuplicateDetector } from '../../../src/duplicates/index.js';

const EVM = '0xAbCdEf0000000000000000000000000000000042';
const wallet = (chain: 'ETH' | 'EVM' | 'SOL', address: string) => ({ publicWalletAddress: address, chain, walletName: 'w', walletProvider: 'browserExtension' as const });

function detect(users: Array<[string, UserPayload]>) {
  const detector = createDuplicateDetector();
  for (const [id, payload] of users) detector.observe(id, payload);
  return detector.clusters();
}

describe('createDuplicateDetector', () => {
  it('finds case twins of an email, a username, an EVM wallet across ETH/EVM and case, and an OAuth account', () => {
    const clusters = detect([
      ['1', { email: 'Jane.Doe@Example.com', username: 'jane' }],
      ['2', { email: 'jane.doe@example.COM' }],
      ['3', { username: 'JANE', wallets: [wallet('ETH', EVM)] }],
      ['4', { wallets: [wallet('EVM', EVM.toLowerCase())], oauthAccounts: [{ provider: 'github', accountId: '77' }] }],
      ['5', { oauthAccounts: [{ provider: 'github', accountId: '77' }] }],
      ['6', { oauthAccounts: [{ provider: 'discord', accountId: '77' }], email: 'other@example.com' }],
    ]);
    expect(clusters.map((c) => [c.kind, c.field, c.legacyIds])).toEqual([
      ['email', 'email', ['1', '2']],
      ['username', 'username', ['1', '3']],
      ['wallet', 'wallets', ['3', '4']],
      ['oauth', 'oauthAccounts', ['4', '5']],
    ]);
  });

  it('masks every cluster key: no clear value of the source appears', () => {
    const clusters = detect([
      ['1', { email: 'jane.doe@example.com', wallets: [wallet('ETH', EVM)] }],
      ['2', { email: 'JANE.DOE@example.com', wallets: [wallet('ETH', EVM)] }],
    ]);
    expect(clusters.map((c) => c.key)).toEqual(['j…m (20 chars)', 'EVM:0…2 (42 chars)']);
    const text = JSON.stringify(clusters).toLowerCase();
    expect(text).not.toContain('jane');
    expect(text).not.toContain('example');
    expect(text).not.toContain(EVM.toLowerCase().slice(2, 10));
  });

  it('grows a cluster beyond two, and does not cluster a user with itself', () => {
    const clusters = detect([
      ['1', { email: 'a.b@c.de', wallets: [wallet('SOL', 'SoLAddr1111'), wallet('SOL', 'SoLAddr1111')] }],
      ['1', { email: 'a.b@c.de' }], // the same row seen again (another pass)
      ['2', { email: 'A.B@c.de' }],
      ['3', { email: 'a.b@C.DE' }],
      ['2', { email: 'a.b@c.de' }],
    ]);
    expect(clusters.map((c) => c.legacyIds)).toEqual([['1', '2', '3']]);
  });

  it('keeps case-sensitive chains apart by case', () => {
    expect(detect([['1', { wallets: [wallet('SOL', 'SoLAddr1111')] }], ['2', { wallets: [wallet('SOL', 'soladdr1111')] }]])).toEqual([]);
  });

  it('returns copies: observing more does not change clusters already handed out', () => {
    const detector = createDuplicateDetector();
    detector.observe('1', { username: 'sam' });
    detector.observe('2', { username: 'Sam' });
    const before = detector.clusters();
    detector.observe('3', { username: 'SAM' });
    expect(before[0]?.legacyIds).toEqual(['1', '2']);
    expect(detector.clusters()[0]?.legacyIds).toEqual(['1', '2', '3']);
  });
});
