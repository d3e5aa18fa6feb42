import { describe, expect, it } from 'vitest';
import { aggregateSample } from '../../../src/check/sample-counter.js';
import { CoverageTally, VERIFIED_EMAIL } from '../../../src/report/coverage-tally.js';
import type { MapResult } from '../../../src/mapping/index.js';
import { mapping, syntheticRow } from './fixtures.js';

const rows = Array.from({ length: 2_345 }, (_, i) => syntheticRow(i + 1));

describe('CoverageTally', () => {
  it('counts across chunks exactly what aggregateSample counts over all rows at once', () => {
    const tally = new CoverageTally(mapping);
    for (const row of rows) tally.add(row);
    const { coverage, rejects } = tally.result();
    const whole = aggregateSample(mapping, rows, rows.length);
    expect(coverage.mapped).toBe(whole.mapped);
    expect(coverage.mapped).toBe(2_345 - 234);
    for (const entry of whole.fields) expect(coverage.fields.find((field) => field.name === entry.name)).toEqual(entry);
    expect(coverage.metadata).toEqual(whole.metadata);
    expect(coverage.wallets).toEqual(whole.wallets);
    expect(coverage.oauthAccounts).toEqual(whole.oauthAccounts);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ field: 'email', rule: 'pattern', rows: 234 });
  });

  it('keeps at most five example rows per reason, the first ones', () => {
    const tally = new CoverageTally(mapping);
    for (const row of rows) tally.add(row);
    const [group] = tally.result().rejects;
    expect(group?.examples.map((example) => example.legacyId)).toEqual(['10', '20', '30', '40', '50']);
    expect(JSON.stringify(group)).not.toContain('broken address');
  });

  it('lists the headline fields even when the mapping does not fill them, and the verified email after email', () => {
    const tally = new CoverageTally(mapping);
    for (const row of rows.slice(0, 30)) tally.add(row);
    const names = tally.result().coverage.fields.map((field) => field.name);
    expect(names.slice(0, 7)).toEqual(['email', VERIFIED_EMAIL, 'username', 'firstName', 'lastName', 'phoneNumber', 'country']);
    expect(names).toContain('emailVerifiedAt');
    const verified = tally.result().coverage.fields.find((field) => field.name === VERIFIED_EMAIL);
    // rows 3, 6, ..., 30 are verified; 30 has a bad email (rejected): 9 users.
    expect(verified).toEqual({ name: VERIFIED_EMAIL, count: 9, percent: 33.33 });
    expect(tally.result().coverage.fields.find((field) => field.name === 'username')?.count).toBe(0);
  });

  it('reports zeros, not NaN, when nothing was mapped', () => {
    const { coverage, rejects } = new CoverageTally(mapping).result();
    expect(coverage.mapped).toBe(0);
    expect(coverage.fields.every((field) => field.count === 0 && field.percent === 0)).toBe(true);
    expect(rejects).toEqual([]);
  });

  it('counts a row once per reason even when it has the reason twice, and keeps no row', () => {
    const tally = new CoverageTally(mapping);
    const twice = (id: number): MapResult => ({
      ok: false,
      legacyId: String(id),
      rejections: [0, 1].map((index) => ({ legacyId: String(id), field: `wallets[${index}].chain`, rule: 'value_map', message: 'no chain', value: 'd…e (8 chars)' })),
      warnings: [0, 1].map((index) => ({ legacyId: String(id), field: `wallets[${index}].walletName`, rule: 'truncated', message: 'cut' })),
    });
    for (let id = 1; id <= 7; id++) tally.add(twice(id));
    const { coverage, rejects, warnings } = tally.result();
    expect(coverage.mapped).toBe(0);
    expect(rejects).toEqual([{ field: 'wallets[*].chain', rule: 'value_map', rows: 7, message: 'no chain', examples: ['1', '2', '3', '4', '5'].map((legacyId) => ({ legacyId, value: 'd…e (8 chars)' })) }]);
    expect(warnings).toEqual([{ field: 'wallets[*].walletName', rule: 'truncated', rows: 7, message: 'cut', examples: ['1', '2', '3', '4', '5'].map((legacyId) => ({ legacyId })) }]);
  });
});
