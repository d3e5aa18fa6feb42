import { describe, expect, it } from 'vitest';
import { FingerprintTable, INSERTED, TABLE_FULL } from '../../../src/duplicates/fingerprint-table.js';
import { fingerprintInto } from '../../../src/duplicates/identity-fingerprint.js';
import { legacyIdOfTag, rowTag, UNLISTED_CLUSTER } from '../../../src/duplicates/row-tag.js';

describe('FingerprintTable', () => {
  it('inserts once, then finds the slot and its owner', () => {
    const table = new FingerprintTable(8);
    expect(table.claim(1, 2, 7)).toBe(INSERTED);
    const slot = table.claim(1, 2, 9);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(table.ownerAt(slot)).toBe(7);
    table.setOwner(slot, 11);
    expect(table.ownerAt(table.claim(1, 2, 0))).toBe(11);
    expect(table.used).toBe(1);
  });

  it('tells apart fingerprints that share a half, wraps around its end, and stores (0, 0) apart from empty', () => {
    const table = new FingerprintTable(4);
    const last = 0xffffffff;
    expect(table.claim(last, 1, 1)).toBe(INSERTED);
    expect(table.claim(last, 2, 2)).toBe(INSERTED); // same home (the last slot): wraps to slot 0
    expect(table.claim(0, 0, 3)).toBe(INSERTED);
    expect(table.ownerAt(table.claim(last, 2, 0))).toBe(2);
    expect(table.ownerAt(table.claim(0, 0, 0))).toBe(3);
    expect(table.ownerAt(table.claim(last, 1, 0))).toBe(1);
  });

  it('refuses new fingerprints past its load limit instead of growing, and keeps answering for the old ones', () => {
    const table = new FingerprintTable(10);
    for (let i = 1; i <= 8; i++) expect(table.claim(i * 0x10000000, i, i)).toBe(INSERTED);
    expect(table.claim(0x12345678, 9, 9)).toBe(TABLE_FULL);
    expect(table.used).toBe(8);
    expect(table.ownerAt(table.claim(0x30000000, 3, 0))).toBe(3);
    expect(table.bytes).toBe(10 * 12);
  });
});

describe('fingerprintInto', () => {
  it('is deterministic, depends on the kind, and has no collision among 200,000 near-identical keys', () => {
    const out = new Uint32Array(2);
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      for (const kind of ['email', 'username'] as const) {
        fingerprintInto(out, kind, `user${i}@example.com`);
        seen.add(`${out[0]}:${out[1]}`);
      }
    }
    expect(seen.size).toBe(200_000);
    fingerprintInto(out, 'wallet', 'EVM:0xabc');
    const first = [...out];
    fingerprintInto(out, 'wallet', 'EVM:0xabc');
    expect([...out]).toEqual(first);
  });
});

describe('rowTag', () => {
  it('keeps integer ids as themselves and hashes any other id into the upper half', () => {
    for (const id of ['0', '1', '42', '2147483646']) expect(legacyIdOfTag(rowTag(id))).toBe(id);
    for (const id of ['007', '-1', '1.5', '2147483647', '99999999999', 'abc', '7f3c9a2e-1d4b-4c1e-9a3b-2b1e0f9c8d7a', '']) {
      expect(rowTag(id)).toBeGreaterThanOrEqual(0x80000000);
      expect(legacyIdOfTag(rowTag(id))).toBeUndefined();
    }
    expect(rowTag('abc')).not.toBe(rowTag('abd'));
    expect(rowTag('x')).not.toBe(UNLISTED_CLUSTER);
  });
});
