import { describe, expect, it } from 'vitest';
import { aggregateSample } from '../../../src/check/index.js';
import { compileMapping, type MapResult } from '../../../src/mapping/index.js';
import { source, spec } from '../mapping/fixtures.js';

const ETH = '0x52908400098527886E0F7030069857D2E4169EE7';
const SOL = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

const mapping = spec({
  fields: { email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] }, firstName: 'first_name' },
  metadata: { plan: 'plan' },
  wallets: [{ from: 'wallets', address: 'address', chain: { column: 'chain', map: { ethereum: 'ETH', solana: 'SOL' }, unmapped: 'reject' }, walletName: { constant: 'Imported' }, walletProvider: { constant: 'browserExtension' } }],
  oauthAccounts: [{ from: 'identities', provider: 'provider', accountId: 'uid' }],
});
const map = compileMapping(mapping);

function sampleResults(): MapResult[] {
  return [
    map(source({ email: 'A@x.io', first_name: 'Ann', plan: 'pro' }, { wallets: [{ chain: 'ethereum', address: ETH }, { chain: 'solana', address: SOL }], identities: [{ provider: 'github', uid: '1' }] }, '1')),
    map(source({ email: ' ', first_name: 'Bo', plan: null }, { wallets: [{ chain: 'solana', address: SOL }] }, '2')),
    map(source({ email: 'c@x.io', first_name: null, plan: 'free' }, { identities: [{ provider: 'google', uid: '3' }] }, '3')),
    map(source({ email: 'not an email', first_name: 'D', plan: 'free' }, {}, '4')),
    map(source({ email: 'e@x.io', first_name: 'E', plan: 'free' }, { wallets: [{ chain: 'dogecoin', address: 'D1' }, { chain: 'dogecoin', address: 'D2' }] }, '5')),
    map(source({ email: 'also bad', first_name: 'F', plan: 'free' }, {}, '6')),
  ];
}

describe('aggregateSample', () => {
  it('counts, per field and metadata key, the cleanly mapped users that got a value', () => {
    const report = aggregateSample(mapping, sampleResults(), 10);
    expect(report).toMatchObject({ requested: 10, read: 6, mapped: 3, rejected: 3 });
    expect(report.fields).toEqual([
      { name: 'email', count: 2, percent: 66.67 },
      { name: 'firstName', count: 2, percent: 66.67 },
    ]);
    expect(report.metadata).toEqual([
      { name: 'plan', count: 2, percent: 66.67 },
      { name: 'legacyId', count: 3, percent: 100 },
    ]);
  });

  it('counts wallets by chain and OAuth accounts by provider', () => {
    const report = aggregateSample(mapping, sampleResults(), 10);
    expect(report.wallets).toEqual({ users: 2, total: 3, byChain: [{ name: 'SOL', count: 2, percent: 66.67 }, { name: 'ETH', count: 1, percent: 33.33 }] });
    expect(report.oauthAccounts).toEqual({ users: 2, total: 2, byProvider: [{ name: 'github', count: 1, percent: 50 }, { name: 'google', count: 1, percent: 50 }] });
  });

  it('groups rejects by field (indexes folded) and rule, counting rows, with masked examples', () => {
    const report = aggregateSample(mapping, sampleResults(), 10);
    expect(report.rejects).toHaveLength(2);
    const email = report.rejects.find((group) => group.field === 'email');
    expect(email).toMatchObject({ rows: 2, examples: [{ legacyId: '4' }, { legacyId: '6' }] });
    expect(JSON.stringify(report)).not.toContain('not an email');
    expect(report.rejects.find((group) => group.field === 'wallets[*].chain')).toMatchObject({ rule: 'value_map', rows: 1, examples: [{ legacyId: '5' }] });
  });

  it('keeps at most three examples per group', () => {
    const many = Array.from({ length: 5 }, (_, i) => map(source({ email: 'bad', first_name: 'X', plan: 'free' }, {}, String(i + 1))));
    const [group] = aggregateSample(mapping, many, 5).rejects;
    expect(group?.rows).toBe(5);
    expect(group?.examples.map((example) => example.legacyId)).toEqual(['1', '2', '3']);
  });

  it('groups the mapper\'s warnings when results carry them, and has none otherwise', () => {
    const results = sampleResults();
    expect(aggregateSample(mapping, results, 10).warnings).toEqual([]);
    const warned = results.map((result) =>
      result.ok ? { ...result, warnings: [{ legacyId: result.legacyId, field: 'firstName', rule: 'stripped', message: 'removed 1 characters' }] } : result,
    );
    expect(aggregateSample(mapping, warned, 10).warnings).toEqual([
      { field: 'firstName', rule: 'stripped', rows: 3, message: 'removed 1 characters', examples: [{ legacyId: '1' }, { legacyId: '2' }, { legacyId: '3' }] },
    ]);
  });

  it('reports zero percent, not NaN, for an empty sample', () => {
    const report = aggregateSample(mapping, [], 10);
    expect(report.fields[0]).toEqual({ name: 'email', count: 0, percent: 0 });
    expect(report.wallets).toEqual({ users: 0, total: 0, byChain: [] });
  });
});
