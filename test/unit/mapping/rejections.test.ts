import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/mapping/index.js';
import type { MapResult, Rejection } from '../../../src/mapping/index.js';
import { source, spec } from './fixtures.js';

const map = compileMapping(
  spec({
    fields: {
      email: { column: 'email', transforms: ['trim', 'lower'] },
      username: 'username',
      firstName: 'first_name',
      country: 'country',
      newsletterNotification: { column: 'opt_in', transforms: ['boolean'] },
      emailVerifiedAt: { column: 'verified_at', transforms: ['isoTimestamp'] },
    },
  }),
);

const valid = { email: 'ann@example.com', username: 'ann_lee', first_name: 'Ann', country: 'DE', opt_in: false, verified_at: null };

function rejectionsOf(result: MapResult): Rejection[] {
  if (result.ok) throw new Error('expected a rejection');
  return result.rejections;
}

describe('rejections', () => {
  it('accepts the valid row the cases below start from', () => {
    expect(map(source(valid)).ok).toBe(true);
  });

  it.each([
    ['an invalid email', { email: 'broken..address@example.com' }, { field: 'email', rule: 'pattern', value: 'b…m (27 chars)' }],
    ['a too long username', { username: 'the_real_1234_xxxxxxxxxxxxxxx' }, { field: 'username', rule: 'pattern', value: 't…x (29 chars)' }],
    ['a username with spaces', { username: 'ann lee' }, { field: 'username', rule: 'pattern', value: 'a…e (7 chars)' }],
    ['an emoji in a name', { first_name: 'Bob 🚀' }, { field: 'firstName', rule: 'pattern', value: 'B…🚀 (5 chars)' }],
    ['a lower-case country', { country: 'de' }, { field: 'country', rule: 'pattern', value: '… (2 chars)' }],
    ['an alpha-3 country', { country: 'DEU' }, { field: 'country', rule: 'pattern', value: 'D… (3 chars)' }],
    ['a boolean that is not one', { opt_in: 'maybe' }, { field: 'newsletterNotification', rule: 'transform', value: 'm…e (5 chars)' }],
    ['a timestamp that is not one', { verified_at: 'last week' }, { field: 'emailVerifiedAt', rule: 'transform', value: 'l…k (9 chars)' }],
    ['a number where text is expected', { first_name: 12345 }, { field: 'firstName', rule: 'type', value: 'number 1…5 (5 chars)' }],
  ])('rejects %s with row id, field, rule and a masked value', (_case, change, expected) => {
    const rejections = rejectionsOf(map(source({ ...valid, ...change }, {}, '1001')));
    expect(rejections).toEqual([{ legacyId: '1001', message: expect.any(String) as string, ...expected }]);
  });

  it('never writes the value in clear, in the value or the message', () => {
    const secret = 'Broken..Secret.Person@Example.com';
    for (const rejection of rejectionsOf(map(source({ ...valid, email: secret, first_name: 'Zed 🚀' })))) {
      expect(JSON.stringify(rejection)).not.toContain('secret.person');
      expect(JSON.stringify(rejection)).not.toContain('Zed');
    }
  });

  it('reports every broken field of a row, not just the first', () => {
    const rejections = rejectionsOf(map(source({ ...valid, email: 'nope', country: 'us', opt_in: 'maybe' })));
    expect(rejections.map((r) => r.field).sort()).toEqual(['country', 'email', 'newsletterNotification']);
  });

  it('rejects a column the row does not have (a typo in the mapping shows on the first row)', () => {
    const typo = compileMapping(spec({ fields: { email: 'emial' } }));
    expect(rejectionsOf(typo(source(valid)))).toEqual([{ legacyId: '42', field: 'email', rule: 'missing_column', message: 'column "emial" is not in the source row' }]);
  });
});
