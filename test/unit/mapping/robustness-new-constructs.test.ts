import { describe, expect, it } from 'vitest';
import { userPayloadSchema } from '../../../src/contract/index.js';
import { compileMapping, loadMappingFile } from '../../../src/mapping/index.js';
import type { SourceRow } from '../../../src/mapping/index.js';
import { spec } from './fixtures.js';

const text = ['stripForbidden', 'nullIfEmpty'] as const;
const map = compileMapping(
  spec({
    options: { phoneRegion: 'US' },
    fields: {
      firstName: { firstOf: [{ column: 'meta.full_name', transforms: [...text, 'firstName'] }, { column: 'name', transforms: [...text, 'firstName'] }] },
      lastName: { column: 'name', transforms: [...text, 'lastName', { truncate: 30 }] },
      alias: { template: '{name} ({meta.nick})', transforms: ['stripForbidden', { truncate: 20 }] },
      username: { column: 'login', transforms: ['slugUsername'] },
      phoneNumber: { column: 'phone', transforms: ['e164'] },
      country: { column: 'country', transforms: ['countryCode'] },
      newsletterNotification: { when: { any: [{ notNull: 'opt' }, { equals: { column: 'meta.opt', value: 'y' } }] }, then: { column: 'opt', transforms: ['boolean'] } },
    },
    wallets: [{ from: { json: 'meta.wallets' }, address: 'address', chain: { column: 'chain', default: 'ETH' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' } }],
    oauthAccounts: [{ from: { json: 'ids' }, provider: { constant: 'github' }, accountId: { column: 'id', transforms: ['string'] }, profile: 'profile' }],
  }),
);

const WEIRD: unknown[] = [
  null, '', ' ', 0, 1.5, Number.NaN, 2n ** 70n, true, new Date('x'), new Date(0), [], [null, 1, 'a', {}], {}, { full_name: '😀', nick: null, wallets: [{ address: 5 }, null] },
  { wallets: 'nope' }, '{"full_name":"A B"}', '[{"id":1}]', Buffer.from('b'), 'x'.repeat(5_000), '\u0000\u202e', 'Germany', '+1 415 555 2671', 'y', () => 1,
];

describe('the compiled mapper with every new construct, on weird input', () => {
  it('never throws, never fails internally, and answers a valid payload or rejections', () => {
    let state = 99;
    const pick = () => WEIRD[(state = (state * 1103515245 + 12345) % 2 ** 31) % WEIRD.length];
    for (let i = 0; i < 1000; i += 1) {
      const row = Object.fromEntries(['name', 'meta', 'login', 'phone', 'country', 'opt', 'ids', 'profile'].map((column) => [column, pick()]));
      const result = map({ key: String(i), row, children: {} } as SourceRow);
      if (result.ok) expect(userPayloadSchema.safeParse(result.payload).success).toBe(true);
      else expect(result.rejections.filter((r) => r.rule === 'internal')).toEqual([]);
      for (const warning of result.warnings ?? []) expect(Object.keys(warning).sort()).toEqual(['field', 'legacyId', 'message', 'rule']);
    }
  });
});

describe('the example mapping', () => {
  // Issue 4 added changeCursor and the children's changeColumn, so the hash moved on purpose; any
  // other change to it would make every example job refuse to resume.
  it('keeps the spec hash it had since issue 4 (a changed hash would make every job refuse to resume)', async () => {
    const [ts, json] = await Promise.all([loadMappingFile('mappings/example.ts'), loadMappingFile('mappings/example.json')]);
    expect(ts.hash).toBe('db1c55ae33178031b91da4a73a57add8183eea0854f4bb392376a6ed315df1bc');
    expect(json.hash).toBe(ts.hash);
  });
});
