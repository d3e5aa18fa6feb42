import { describe, expect, it } from 'vitest';
import type { UserPayload } from '../../../src/contract/index.js';
import { createBoundedDuplicateDetector, createDuplicateDetector } from '../../../src/duplicates/index.js';
import type { BoundedDetectorOptions } from '../../../src/duplicates/index.js';

const EVM = '0xAbCdEf0000000000000000000000000000000042';
const wallet = (chain: 'ETH' | 'EVM' | 'SOL', address: string) => ({ publicWalletAddress: address, chain, walletName: 'w', walletProvider: 'browserExtension' as const });

function detect(users: Array<[string, UserPayload]>, options: BoundedDetectorOptions = { slots: 1024 }) {
  const detector = createBoundedDuplicateDetector(options);
  for (const [id, payload] of users) detector.observe(id, payload);
  return detector;
}

describe('createBoundedDuplicateDetector', () => {
  it('finds what the exact detector finds, first holder included, with exact row counts', () => {
    const users: Array<[string, UserPayload]> = [
      ['1', { email: 'Jane.Doe@Example.com', username: 'jane' }],
      ['2', { email: 'jane.doe@example.COM' }],
      ['3', { username: 'JANE', wallets: [wallet('ETH', EVM)] }],
      ['4', { wallets: [wallet('EVM', EVM.toLowerCase())], oauthAccounts: [{ provider: 'github', accountId: '77' }] }],
      ['5', { oauthAccounts: [{ provider: 'github', accountId: '77' }], email: 'JANE.DOE@example.com' }],
      ['6', { oauthAccounts: [{ provider: 'discord', accountId: '77' }], email: 'other@example.com' }],
    ];
    const exact = createDuplicateDetector();
    for (const [id, payload] of users) exact.observe(id, payload);
    const bounded = detect(users);
    expect(bounded.clusters()).toEqual(exact.clusters().map((cluster) => ({ ...cluster, rows: cluster.legacyIds.length })));
    expect(bounded.clusters().map((c) => [c.kind, c.key, c.rows])).toEqual([
      ['email', 'j…m (20 chars)', 3],
      ['username', 'j… (4 chars)', 2],
      ['wallet', 'EVM:0…2 (42 chars)', 2],
      ['oauth', 'github:… (2 chars)', 2],
    ]);
    expect(bounded.status()).toMatchObject({ total: 4, unlisted: 0, saturated: false, identities: 6, tableBytes: 1024 * 12 });
  });

  it('finds the same across the batches its look-ups wait in, and answers for identities still waiting', () => {
    // 5,000 users, 3 identities each: clusters span many look-up batches, and the last ones still wait when asked.
    const users: Array<[string, UserPayload]> = Array.from({ length: 5000 }, (_, i) => [
      String(i + 1),
      { email: `user${i % 1700}@example.com`, username: `name${i}`, wallets: [wallet('SOL', `SoL${i % 2900}`)] },
    ]);
    const exact = createDuplicateDetector();
    for (const [id, payload] of users) exact.observe(id, payload);
    const bounded = detect(users, { slots: 1 << 15, maxIds: 5000, maxClusters: 10_000 });
    expect(bounded.clusters()).toEqual(exact.clusters().map((cluster) => ({ ...cluster, rows: cluster.legacyIds.length })));
    expect(bounded.status()).toMatchObject({ total: 1700 + 2100, unlisted: 0, saturated: false, identities: 1700 + 5000 + 2900 });
    const late = detect([['1', { email: 'late@example.com' }], ['2', { email: 'LATE@example.com' }]]);
    expect(late.status()).toMatchObject({ total: 1, identities: 1 });
  });

  it('does not cluster a row with itself: a wallet listed twice, or the same row observed again', () => {
    const detector = detect([
      ['1', { email: 'a.b@c.de', wallets: [wallet('SOL', 'SoLAddr1111'), wallet('SOL', 'SoLAddr1111')] }],
      ['1', { email: 'a.b@c.de' }],
      ['2', { email: 'A.B@c.de', wallets: [wallet('SOL', 'SoLAddr1111'), wallet('SOL', 'SoLAddr1111')] }],
      ['2', { email: 'a.b@c.de' }],
      ['3', { email: 'a.b@C.DE' }],
    ]);
    expect(detector.clusters().map((c) => [c.kind, c.rows, c.legacyIds])).toEqual([
      ['email', 3, ['1', '2', '3']],
      ['wallet', 2, ['1', '2']],
    ]);
  });

  it('keeps case-sensitive chains apart by case', () => {
    expect(detect([['1', { wallets: [wallet('SOL', 'SoLAddr1111')] }], ['2', { wallets: [wallet('SOL', 'soladdr1111')] }]]).clusters()).toEqual([]);
  });

  it('counts every row of a cluster but lists at most maxIds of them', () => {
    const users = Array.from({ length: 25 }, (_, i): [string, UserPayload] => [String(i + 1), { username: 'same' }]);
    const [cluster] = detect(users, { slots: 64, maxIds: 4 }).clusters();
    expect(cluster).toMatchObject({ rows: 25, legacyIds: ['1', '2', '3', '4'] });
  });

  it('names the first holder only when its id is an integer; others are listed from the second on', () => {
    const uuid = (n: number) => `7f3c9a2e-0000-4000-8000-00000000000${n}`;
    const detector = detect([
      [uuid(1), { email: 'x@y.zz' }],
      [uuid(2), { email: 'X@y.zz' }],
      [uuid(3), { email: 'x@Y.zz' }],
      ['0042', { username: 'padded' }],
      ['43', { username: 'PADDED' }],
    ]);
    expect(detector.clusters().map((c) => [c.rows, c.legacyIds])).toEqual([
      [3, [uuid(2), uuid(3)]],
      [2, ['43']],
    ]);
  });

  it('lists the first maxClusters clusters and only counts the rest, once each', () => {
    const users: Array<[string, UserPayload]> = [];
    for (let i = 0; i < 5; i++) for (let copy = 0; copy < 3; copy++) users.push([String(i * 10 + copy + 1), { email: `user${i}@example.com` }]);
    const detector = detect(users, { slots: 256, maxClusters: 2 });
    expect(detector.clusters().map((c) => c.rows)).toEqual([3, 3]);
    expect(detector.status()).toMatchObject({ total: 5, unlisted: 3 });
  });

  it('stops taking identities when its fixed table is full, says so, and still finds repeats of those it holds', () => {
    const users = Array.from({ length: 40 }, (_, i): [string, UserPayload] => [String(i + 1), { email: `user${i}@example.com` }]);
    users.push(['100', { email: 'USER0@example.com' }], ['101', { email: 'user39@example.com' }]);
    const detector = detect(users, { slots: 16 });
    expect(detector.status()).toMatchObject({ saturated: true, identities: 12, total: 1 });
    expect(detector.clusters().map((c) => c.legacyIds)).toEqual([['1', '100']]);
  });
});
