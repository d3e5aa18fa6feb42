import { describe, expect, it } from 'vitest';
import { emailKey, oauthKey, usernameKey, walletKey } from '../../../src/contract/identity-keys.js';
import { coarseKey, isAscii, plainIdentitySources } from '../../../src/duplicates/candidate-keys.js';
import { parseMapping } from '../../../src/mapping/index.js';
import type { MappingSpecInput } from '../../../src/mapping/index.js';

const mapping = (extra: Partial<MappingSpecInput>) => parseMapping({
  source: { table: 'users', primaryKey: 'id', children: { wallets: { table: 'w', foreignKey: 'user_id' } } },
  ...extra,
}, 'unit.json');

describe('plainIdentitySources: which identities SQL may narrow', () => {
  it('takes plain columns of the row and of children, through trim, lower, upper, string and nullIfEmpty', () => {
    const spec = mapping({
      fields: { email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] }, username: 'username' },
      wallets: [{ from: 'wallets', address: { column: 'address', transforms: ['upper', 'string'] }, chain: { column: 'chain', map: { ethereum: 'ETH' } }, walletName: { constant: 'w' }, walletProvider: { constant: 'p' } }],
      oauthAccounts: [{ from: 'row', provider: { constant: 'github' }, accountId: 'github_id' }],
    });
    expect(plainIdentitySources(spec)).toEqual([
      { kind: 'email', from: 'row', column: 'email' },
      { kind: 'username', from: 'row', column: 'username' },
      { kind: 'wallet', from: 'wallets', column: 'address' },
      { kind: 'oauth', from: 'row', column: 'github_id' },
    ]);
  });

  it.each([
    ['a template', { fields: { email: { template: '{name}@example.com' } } }],
    ['a value map', { fields: { email: { column: 'email', map: { a: 'b' } } } }],
    ['a default', { fields: { username: { column: 'username', default: 'anon' } } }],
    ['a JSON path', { fields: { email: 'meta.email' } }],
    ['another transform', { fields: { username: { column: 'name', transforms: ['slugUsername'] } } }],
    ['records from a JSON array', { wallets: [{ from: { json: 'wallets' }, address: 'a', chain: 'c', walletName: 'n', walletProvider: 'p' }] }],
  ] as Array<[string, Partial<MappingSpecInput>]>)('leaves the scan of every row to a mapping with %s', (_what, extra) => {
    expect(plainIdentitySources(mapping(extra))).toBeUndefined();
  });
});

describe('coarseKey: equal exact keys of ASCII values give equal coarse keys', () => {
  // Random ASCII text with white space and letters of both cases, through the steps a plain source may take.
  const alphabet = ' \t\n\u000b\f\rAaBbKkZz09@._-:';
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const steps: Array<(value: string) => string> = [(v) => v.trim(), (v) => v.toLowerCase(), (v) => v.toUpperCase(), (v) => v];

  it('is the same before and after trim, lower and upper, so the normalisers only ever merge what it merges', () => {
    for (let i = 0; i < 5000; i++) {
      const raw = text();
      const shaped = steps[Math.floor(random() * steps.length)]!(steps[Math.floor(random() * steps.length)]!(raw));
      expect(isAscii(raw)).toBe(true);
      expect(coarseKey(shaped)).toBe(coarseKey(raw));
      for (const exact of [emailKey(shaped), usernameKey(shaped), walletKey('EVM', shaped).slice(4), walletKey('SOL', shaped).slice(4), oauthKey('github', shaped).slice(7)]) {
        expect(coarseKey(exact)).toBe(coarseKey(raw));
      }
    }
  });

  it('keeps what tells values apart and tells non-ASCII values to the exact path', () => {
    expect(coarseKey(' \tAnn.Lee@Example.COM\r\n')).toBe('ann.lee@example.com');
    expect(coarseKey('a b')).toBe('a b');
    expect(isAscii('\u212Aate')).toBe(false);
    expect(isAscii('dana@example.com\u00a0')).toBe(false);
  });
});
