import { describe, expect, it } from 'vitest';
import { keyProblems, lookupPromiseProblems } from '../../../src/check/index.js';
import type { SourceRow } from '../../../src/extract/index.js';
import { parseMapping } from '../../../src/mapping/index.js';
import { demoSnapshot } from './schema-fixtures.js';

const col = (name: string, udtName: string) => ({ name, dataType: udtName, udtName });
const spec = parseMapping({
  source: {
    table: 'users',
    primaryKey: 'id',
    lookups: {
      bio: { table: 'profiles', key: 'user_id' },
      account: { table: 'accounts', key: 'id', userKey: 'plan' },
      org: { table: 'orgs', key: 'id', userKey: 'plan', relation: 'many-to-one' },
    },
  },
  fields: { email: 'email' },
}, 'lookups.json');

describe('check: lookup keys and promises', () => {
  it('refuses keys of different families, and a lookup named like a column of the users table', () => {
    const schema = demoSnapshot({
      profiles: [col('user_id', 'int4')], // int4 against int8: the same family
      accounts: [col('id', 'uuid')], // uuid against text: no
      orgs: [col('id', 'varchar')],
    });
    expect(keyProblems(spec, schema).map((problem) => `${problem.kind} ${problem.usedBy.join()}`)).toEqual(['key_type_mismatch source.lookups.account.key']);
    const shadow = parseMapping({ source: { table: 'users', primaryKey: 'id', lookups: { profile: { table: 'profiles', key: 'user_id' } } } }, 'shadow.json');
    expect(keyProblems(shadow, demoSnapshot({ profiles: [col('user_id', 'int8')] }))).toEqual([
      expect.objectContaining({ kind: 'lookup_shadows_column', column: 'profile', message: 'lookup "profile" has the name of a column of users, which it would hide: give the lookup another name' }),
    ]);
  });

  it('names the sampled users whose lookup has several rows, or shares a one-to-one row', () => {
    const row = (key: string, lookups: SourceRow['lookups']): SourceRow => ({ key, row: {}, children: {}, lookups });
    const rows = [
      row('1', { bio: { rows: [{}], sharedWith: 0 }, account: { rows: [{}], sharedWith: 0 }, org: { rows: [{}], sharedWith: 0 } }),
      row('2', { bio: { rows: [{}, {}], sharedWith: 0 }, account: { rows: [{}], sharedWith: 1 }, org: { rows: [{}], sharedWith: 0 } }),
      row('3', { bio: { rows: [], sharedWith: 0 }, account: { rows: [{}], sharedWith: 1 }, org: { rows: [{}], sharedWith: 0 } }),
    ];
    expect(lookupPromiseProblems(spec, rows).map((problem) => problem.message)).toEqual([
      'lookup "bio": 1 sampled user(s) have several profiles rows with user_id equal to their id (e.g. 2); a lookup promises one, so the fields it feeds are left out or rejected for them',
      'lookup "account" is declared one-to-one, but 2 sampled user(s) share their accounts row with another user (e.g. 2, 3); say relation: \'many-to-one\' if users may share it',
    ]);
  });
});
