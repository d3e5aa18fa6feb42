import { describe, expect, it } from 'vitest';
import { defineMapping } from '../../../src/mapping/index.js';

const source = { table: 'users', primaryKey: 'id' };

describe('defineMapping', () => {
  it('returns the mapping unchanged', () => {
    const mapping = { source, fields: { email: 'email' } };
    expect(defineMapping(mapping)).toBe(mapping);
  });

  it('types the mapping, so typos fail `tsc --noEmit` (this file is type-checked)', () => {
    const typos = [
      // @ts-expect-error: `emial` is not a field of the API's user object
      defineMapping({ source, fields: { emial: 'email' } }),
      // @ts-expect-error: `lwr` is not a transform
      defineMapping({ source, fields: { email: { column: 'email', transforms: ['lwr'] } } }),
      // @ts-expect-error: `unmapped` is keep | null | reject
      defineMapping({ source, fields: { country: { column: 'country', unmapped: 'drop' } } }),
      // @ts-expect-error: a wallet needs a walletProvider
      defineMapping({ source, wallets: [{ from: 'row', address: 'a', chain: 'c', walletName: 'n' }] }),
    ];
    expect(typos).toHaveLength(4);
  });
});
