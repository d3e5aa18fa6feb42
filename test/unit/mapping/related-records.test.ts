import { describe, expect, it } from 'vitest';
import { collectColumnRefs, columnsToRead, compileMapping, parseMapping } from '../../../src/mapping/index.js';
import type { MappingSpecInput, MapResult, SourceRow } from '../../../src/mapping/index.js';

// Lookups (1:1, N:1 tables) and picks (one row of a child) read like columns of the user row.
const spec: MappingSpecInput = {
  source: {
    table: 'users',
    primaryKey: 'id',
    children: { emails: { table: 'user_emails', foreignKey: 'user_id', orderBy: 'id' } },
    lookups: {
      profile: { table: 'user_profiles', key: 'user_id' },
      account: { table: 'accounts', key: 'id', userKey: 'account_id', changeColumn: 'updated_at' },
    },
    picks: { primary_email: { from: 'emails', where: { equals: { column: 'primary', value: true } }, unique: true } },
  },
  fields: {
    email: 'primary_email.email',
    username: 'account.username',
    alias: { template: '{account.display_name} of {profile.location}' },
  },
  metadata: {
    bio: 'profile.bio_raw',
    theme: 'profile.settings.theme',
    secondaryEmails: { when: { notNull: 'profile.user_id' }, then: { constant: 'has profile' } },
  },
  oauthAccounts: [{ from: 'emails', provider: { constant: 'emailOnly' }, accountId: 'email', emails: 'email' }],
};
const map = compileMapping(parseMapping(spec, 'related.json'));

const emails = (...rows: Array<[string, boolean]>) => rows.map(([email, primary], i) => ({ id: i + 1, email, primary }));
function user(options: { emails?: SourceRow['children']['emails']; profile?: Record<string, unknown>[]; account?: Record<string, unknown>[]; sharedWith?: number } = {}): SourceRow {
  return {
    key: '7',
    row: { id: 7, account_id: '70' },
    children: { emails: options.emails ?? emails(['old@example.com', false], ['ada@example.com', true]) },
    lookups: {
      profile: { rows: options.profile ?? [{ __dynamic_migrate_user: '7', user_id: 7, bio_raw: 'Engineer', location: 'Lagos', settings: '{"theme":"dark"}' }], sharedWith: 0 },
      account: { rows: options.account ?? [{ id: '70', username: 'ada', display_name: 'Ada' }], sharedWith: options.sharedWith ?? 0 },
    },
  };
}
const sent = (result: MapResult) => {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.rejections)}`);
  return result;
};
const reasons = (result: MapResult) => (result.ok ? (result.dropped ?? []) : result.rejections).map((r) => `${r.field} ${r.rule}`);

describe('lookups and picks', () => {
  it('read a lookup\'s columns, JSON in them, and the picked child row, in fields, templates, conditions and metadata', () => {
    const { payload } = sent(map(user()));
    expect(payload).toMatchObject({
      email: 'ada@example.com',
      username: 'ada',
      alias: 'Ada of Lagos',
      metadata: { bio: 'Engineer', theme: 'dark', secondaryEmails: 'has profile', legacyId: '7' },
    });
    // The child's other rows stay available to its rules.
    expect(payload.oauthAccounts?.map((account) => account.accountId)).toEqual(['old@example.com', 'ada@example.com']);
  });

  it('a lookup that finds no row, or a pick no row qualifies for, reads as null', () => {
    const result = map(user({ profile: [], emails: emails(['old@example.com', false]) }));
    expect(result.ok).toBe(true);
    const { payload } = sent(result);
    expect(payload.email).toBeUndefined();
    expect(payload.metadata).toEqual({ legacyId: '7' });
    expect(payload.alias).toBe('Ada of'); // templates trim
  });

  it('several rows where one was promised are a problem of every field they feed, never resolved by taking one', () => {
    // Two profiles: the metadata that reads it rejects (metadata rejects by default); the alias drops.
    const twoProfiles = map(user({ profile: [{ user_id: 7, bio_raw: 'a' }, { user_id: 7, bio_raw: 'b' }] }));
    expect(reasons(twoProfiles)).toEqual(['metadata.bio lookup_not_unique', 'metadata.theme lookup_not_unique', 'metadata.secondaryEmails lookup_not_unique']);
    // An account other users share, under one-to-one: the username and alias are dropped, the user is sent.
    const shared = sent(map(user({ sharedWith: 1 })));
    expect(reasons(shared)).toEqual(['username lookup_shared', 'alias lookup_shared']);
    expect(shared.payload.username).toBeUndefined();
    expect(shared.dropped?.[0]?.message).toMatch(/lookup "account" \(table "accounts"\): 1 other user\(s\) have the same account_id, and the lookup is declared one-to-one/);
    // Two emails claiming primary, under unique: the email is rejected with that reason.
    const twoPrimaries = map(user({ emails: emails(['a@example.com', true], ['b@example.com', true]) }));
    expect(reasons(twoPrimaries)).toContain('email pick_not_unique');
  });

  it('a pick without unique takes the first qualifying row in the child\'s order; without an order, several are a problem', () => {
    const first = compileMapping(parseMapping({ ...spec, source: { ...spec.source, picks: { primary_email: { from: 'emails', where: { equals: { column: 'primary', value: true } } } } } }, 'first.json'));
    expect(sent(first(user({ emails: emails(['a@example.com', true], ['b@example.com', true]) }))).payload.email).toBe('a@example.com');
    const unordered = compileMapping(parseMapping({ ...spec, source: { ...spec.source, children: { emails: { table: 'user_emails', foreignKey: 'user_id' } }, picks: { primary_email: { from: 'emails', where: { equals: { column: 'primary', value: true } } } } } }, 'unordered.json'));
    expect(reasons(unordered(user({ emails: emails(['a@example.com', true], ['b@example.com', true]) })))).toContain('email pick_not_unique');
  });

  it('a pick with all reads as the list of its rows\' values', () => {
    const listing = compileMapping(parseMapping({
      ...spec,
      source: { ...spec.source, picks: { ...spec.source.picks, secondary: { from: 'emails', where: { equals: { column: 'primary', value: false } }, all: true } } },
      metadata: { secondaryEmails: 'secondary.email' },
    }, 'all.json'));
    const { payload } = sent(listing(user({ emails: emails(['a@example.com', false], ['b@example.com', true], ['c@example.com', false]) })));
    expect(payload.metadata).toEqual({ secondaryEmails: ['a@example.com', 'c@example.com'], legacyId: '7' });
    expect(() => parseMapping({ source: { table: 'users', primaryKey: 'id', children: { e: { table: 'e', foreignKey: 'u' } }, picks: { p: { from: 'e', all: true, unique: true } } } }, 'x.json')).toThrow(/cannot be combined with unique/);
  });

  it('a column the lookup row lacks is a missing column naming the lookup', () => {
    const result = map(user({ account: [{ id: '70', display_name: 'Ada' }] }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejections).toEqual([expect.objectContaining({ field: 'username', rule: 'missing_column', message: 'column "username" is not in lookup "account" (table "accounts")' })]);
  });

  it('a lookup used whole reads every column of its table, in the run as in check', () => {
    const whole = parseMapping({ ...spec, metadata: { ...spec.metadata, profile: 'profile' } }, 'whole.json');
    expect(columnsToRead(whole).lookups.profile).toEqual([]); // no list: select *
    expect(columnsToRead(whole).lookups.account).toEqual(['id', 'username', 'display_name']);
    const { payload } = sent(compileMapping(whole)(user()));
    expect(payload.metadata?.profile).toEqual({ user_id: 7, bio_raw: 'Engineer', location: 'Lagos', settings: '{"theme":"dark"}' }); // the extractor's own column left out
    // One that could not choose its row is that problem here too, never an empty object.
    const twoProfiles = compileMapping(whole)(user({ profile: [{ user_id: 7 }, { user_id: 7 }] }));
    expect(reasons(twoProfiles)).toContain('metadata.profile lookup_not_unique');
  });

  it('a JSON array in a lookup\'s column feeds a wallet or OAuth rule (from: { json })', () => {
    const linked = parseMapping({
      ...spec,
      oauthAccounts: [{ from: { json: 'profile.links' }, provider: 'provider', accountId: 'id' }],
    }, 'links.json');
    const links = '[{"provider":"github","id":"gh-7"}]'; // text holding JSON
    const { payload } = sent(compileMapping(linked)(user({ profile: [{ user_id: 7, bio_raw: 'Engineer', location: 'Lagos', settings: '{}', links }] })));
    expect(payload.oauthAccounts).toEqual([{ provider: 'github', accountId: 'gh-7' }]);
    expect(collectColumnRefs(linked).filter((ref) => ref.usedBy.startsWith('oauthAccounts[0]')).map((ref) => `${ref.table}.${[ref.column, ...ref.jsonPath].join('.')}`))
      .toEqual(['user_profiles.links', 'user_profiles.links.*.provider', 'user_profiles.links.*.id']);
  });

  it('refuses clashing names and picks from unknown children', () => {
    expect(() => parseMapping({ source: { table: 'users', primaryKey: 'id', children: { emails: { table: 'e', foreignKey: 'u' } }, lookups: { emails: { table: 'x', key: 'id' } } } }, 'clash.json'))
      .toThrow(/source\.lookups\.emails.*also a name in children/s);
    expect(() => parseMapping({ source: { table: 'users', primaryKey: 'id', picks: { first: { from: 'wallets' } } } }, 'pick.json')).toThrow(/unknown child "wallets"/);
  });

  it('points each column reference at its table, and reads only what is used', () => {
    const parsed = parseMapping(spec, 'related.json');
    const refs = collectColumnRefs(parsed).map((ref) => `${ref.usedBy} ${ref.table}.${[ref.column, ...ref.jsonPath].join('.')}`);
    expect(refs).toEqual(expect.arrayContaining([
      'lookups.account.key accounts.id',
      'lookups.account.userKey users.account_id',
      'lookups.account.changeColumn accounts.updated_at',
      'picks.primary_email.where user_emails.primary',
      'fields.email user_emails.email',
      'fields.username accounts.username',
      'fields.alias.template accounts.display_name',
      'metadata.theme user_profiles.settings.theme',
    ]));
    expect(columnsToRead(parsed)).toEqual({
      source: ['id', 'account_id'],
      children: { emails: ['user_id', 'primary', 'email'] }, // the order column is used in SQL only
      lookups: { profile: ['user_id', 'location', 'bio_raw', 'settings'], account: ['id', 'username', 'display_name'] },
    });
  });
});
