import { describe, expect, it } from 'vitest';
import type { UserPayload } from '../../../src/contract/index.js';
import { applyDuplicatePlan, describeResolution, planDuplicatesFrom } from '../../../src/duplicates/index.js';
import type { DuplicatePlan, DuplicatePolicy } from '../../../src/duplicates/index.js';
import type { MapResult, SourceRow } from '../../../src/mapping/index.js';

// Literal rows: `row.payload` is what the mapper makes of the row, `row.updated_at` a column.
const wallet = (chain: 'ETH' | 'EVM' | 'SOL', address: string) => ({ publicWalletAddress: address, chain, walletName: 'w', walletProvider: 'browserExtension' as const });
const W1 = '0xAAAA000000000000000000000000000000000001';
const W2 = '0xBBBB000000000000000000000000000000000002';
const row = (key: string, payload: UserPayload, updated_at: string | null = null): SourceRow => ({ key, row: { payload, updated_at }, children: {} });
const mapRow = (source: SourceRow): MapResult =>
  source.row.payload === 'bad'
    ? { ok: false, legacyId: source.key, rejections: [{ legacyId: source.key, field: 'email', rule: 'pattern', message: 'bad' }] }
    : { ok: true, legacyId: source.key, payload: source.row.payload as UserPayload };

const ROWS: SourceRow[] = [
  row('1', { email: 'sam@example.com', wallets: [wallet('ETH', W1)] }, '2024-01-01'),
  row('2', { email: 'SAM@example.com', wallets: [wallet('EVM', W2)], oauthAccounts: [{ provider: 'github', accountId: '9' }] }, '2024-03-01'),
  row('3', { username: 'solo' }, '2024-05-01'),
  row('4', { email: 'sam@EXAMPLE.com', oauthAccounts: [{ provider: 'github', accountId: '9' }, { provider: 'google', accountId: 'g4' }] }, '2024-02-01'),
];

async function run(rows: SourceRow[], policy: DuplicatePolicy): Promise<{ plan: DuplicatePlan; results: Map<string, MapResult> }> {
  let reads = 0;
  const plan = await planDuplicatesFrom(() => (reads++, [rows.slice(0, 2), rows.slice(2)]), mapRow, policy, 'users');
  const mapped = applyDuplicatePlan(mapRow, plan);
  expect(reads).toBeLessThanOrEqual(2);
  return { plan, results: new Map(rows.map((r) => [r.key, mapped(r)])) };
}
const rejection = (result: MapResult | undefined) => (result && !result.ok ? result.rejections : undefined);

describe('duplicate policies on literal rows', () => {
  it('rejectAllButFirst: the first in key order is sent, the others rejected naming it', async () => {
    const { plan, results } = await run(ROWS, { policy: 'rejectAllButFirst' });
    expect(results.get('1')).toEqual(mapRow(ROWS[0] as SourceRow));
    expect(results.get('3')?.ok).toBe(true);
    expect(rejection(results.get('2'))).toEqual([
      { legacyId: '2', field: 'email', rule: 'duplicate', value: 's…m (15 chars)', message: 'same email as legacy id 1, which is sent (the first in key order)' },
    ]);
    // 4 shares the email with 1 (sent) and the github account with 2 (rejected): the email decides.
    expect(rejection(results.get('4'))?.map((r) => [r.field, r.rule, r.message])).toEqual([['email', 'duplicate', expect.stringContaining('legacy id 1')]]);
    expect(describeResolution(plan, plan.clusters[0]!)).toBe('sent: 1; rejected: 2, 4');
  });

  it('keepNewest: the greatest newestBy is sent; no clear value in any rejection', async () => {
    const { results } = await run(ROWS, { policy: 'keepNewest', newestBy: 'updated_at' });
    expect(results.get('2')?.ok).toBe(true);
    expect(rejection(results.get('1'))?.[0]).toMatchObject({ rule: 'duplicate', field: 'email', message: expect.stringContaining('legacy id 2, which is sent (the newest by updated_at)') });
    expect(rejection(results.get('4'))?.[0]).toMatchObject({ rule: 'duplicate', message: expect.stringContaining('legacy id 2') });
    expect(JSON.stringify([...results.values()].filter((r) => !r.ok))).not.toMatch(/sam@|example/i);
  });

  it('keepNewest: a null newestBy loses, ties go to key order', async () => {
    const rows = [row('1', { username: 'x1y' }, null), row('2', { username: 'X1Y' }, '2020-01-01'), row('3', { username: 'x1Y' }, '2020-01-01')];
    const { results } = await run(rows, { policy: 'keepNewest', newestBy: 'updated_at' });
    expect([...results].map(([id, r]) => [id, r.ok])).toEqual([['1', false], ['2', true], ['3', false]]);
  });

  it('merge: the first is sent with every member’s wallets and accounts, each once; the others are duplicate_merged', async () => {
    const { plan, results } = await run(ROWS, { policy: 'merge' });
    const survivor = results.get('1');
    expect(survivor?.ok && survivor.payload).toEqual({
      email: 'sam@example.com',
      wallets: [wallet('ETH', W1), wallet('EVM', W2)],
      oauthAccounts: [{ provider: 'github', accountId: '9' }, { provider: 'google', accountId: 'g4' }],
    });
    for (const id of ['2', '4']) {
      expect(rejection(results.get(id))).toEqual([expect.objectContaining({ legacyId: id, rule: 'duplicate_merged', message: expect.stringContaining('merged into legacy id 1') })]);
    }
    expect(results.get('3')?.ok).toBe(true);
    expect(describeResolution(plan, plan.clusters[0]!)).toBe('merged into 1');
  });

  it('merge: a wallet the survivor holds in other case (ETH vs EVM) is not added twice', async () => {
    const rows = [
      row('1', { email: 'ann@example.org', wallets: [wallet('ETH', W1)] }),
      row('2', { email: 'ANN@example.org', wallets: [wallet('EVM', W1.toLowerCase()), wallet('SOL', 'SoLAddr1111')] }),
    ];
    const { results } = await run(rows, { policy: 'merge' });
    const survivor = results.get('1');
    expect(survivor?.ok && survivor.payload.wallets).toEqual([wallet('ETH', W1), wallet('SOL', 'SoLAddr1111')]);
  });

  it('a cluster spanning kinds: A~B by email, B~C by wallet, C~D by OAuth', async () => {
    const rows = [
      row('10', { email: 'a@b.cd' }),
      row('11', { email: 'A@B.CD', wallets: [wallet('ETH', W2)] }),
      row('12', { wallets: [wallet('EVM', W2.toLowerCase())], oauthAccounts: [{ provider: 'discord', accountId: 'd1' }] }),
      row('13', { oauthAccounts: [{ provider: 'discord', accountId: 'd1' }] }),
    ];
    const keep = await run(rows, { policy: 'rejectAllButFirst' });
    // 11 loses to 10; 12's wallet is then free (its only other holder is rejected); 13 loses to 12.
    expect([...keep.results].map(([id, r]) => [id, r.ok ? 'sent' : r.rejections[0]?.field])).toEqual([
      ['10', 'sent'], ['11', 'email'], ['12', 'sent'], ['13', 'oauthAccounts'],
    ]);
    expect(keep.plan.clusters.map((c) => c.kind)).toEqual(['email', 'wallet', 'oauth']);
    const merge = await run(rows, { policy: 'merge' });
    const survivor = merge.results.get('10');
    expect(survivor?.ok && survivor.payload).toMatchObject({ wallets: [wallet('ETH', W2)], oauthAccounts: [{ provider: 'discord', accountId: 'd1' }] });
    expect(['11', '12', '13'].map((id) => rejection(merge.results.get(id))?.[0]?.rule)).toEqual(['duplicate_merged', 'duplicate_merged', 'duplicate_merged']);
  });

  it('leaves rows the mapping rejects, and every row without clusters, untouched (one read only)', async () => {
    const rows = [row('1', { email: 'x@y.zz' }), { ...row('2', {}), row: { payload: 'bad' } }, row('3', { email: 'q@y.zz' })];
    let reads = 0;
    const plan = await planDuplicatesFrom(() => (reads++, [rows]), mapRow, { policy: 'rejectAllButFirst' }, 'users');
    expect(reads).toBe(1);
    expect(plan.decisions.size).toBe(0);
    expect(applyDuplicatePlan(mapRow, plan)).toBe(mapRow);
  });

  it('refuses a newestBy that is not a column of the table', async () => {
    await expect(planDuplicatesFrom(() => [ROWS], mapRow, { policy: 'keepNewest', newestBy: 'updatedAt' }, 'users')).rejects.toThrow(
      'column "updatedAt" is not in source table "users"',
    );
  });
});
