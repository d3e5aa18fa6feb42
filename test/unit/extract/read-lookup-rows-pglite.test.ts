import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/demo/embedded-database.js';
import { readSourcePages } from '../../../src/extract/read-source-pages.js';
import type { SourceRow } from '../../../src/extract/source-row.js';
import type { SourceSpec } from '../../../src/extract/source-spec.js';

// Lookups read on PGlite (a real PostgreSQL engine in-process): one query per page and lookup,
// rows handed on as found, sharing counted over the whole source through its filter.
const spec: SourceSpec = {
  table: 'members',
  primaryKey: 'id',
  filter: { isNull: 'deleted_at' },
  lookups: {
    profile: { table: 'profiles', key: 'member_id', readColumns: ['member_id', 'bio'] },
    org: { table: 'orgs', key: 'id', userKey: 'org_id', filter: { equals: { column: 'active', value: true } } },
    team: { table: 'orgs', key: 'id', userKey: 'org_id', relation: 'many-to-one' },
  },
};

let embedded: EmbeddedDatabase;
beforeAll(async () => {
  embedded = await openEmbeddedDatabase();
  // One statement at a time: PGlite prepares each query.
  await sql.raw(`create table orgs (id int primary key, name text, active boolean not null)`).execute(embedded.db);
  await sql.raw(`create table members (id bigint primary key, org_id int, deleted_at timestamptz)`).execute(embedded.db);
  await sql.raw(`create table profiles (member_id bigint not null, bio text, secret text)`).execute(embedded.db);
  await sql.raw(`insert into orgs values (10, 'Acme', true), (20, 'Gone', false), (30, 'Solo', true)`).execute(embedded.db);
  // 1 and 2 share org 10; 4 (deleted) shares org 30 with 3, which does not count; 5 has no org
  await sql.raw(`insert into members values (1, 10, null), (2, 10, null), (3, 30, null), (4, 30, now()), (5, null, null), (6, 20, null)`).execute(embedded.db);
  // member 2 has two profiles, 3 none
  await sql.raw(`insert into profiles values (1, 'one', 's1'), (2, 'two-a', 's2'), (2, 'two-b', 's3'), (5, 'five', 's5'), (6, 'six', 's6')`).execute(embedded.db);
}, 120_000);
afterAll(async () => {
  await embedded?.close();
});

describe('lookups on PGlite', () => {
  it('gives each user its rows per lookup and how many other users of the source share them', async () => {
    const users: SourceRow[] = [];
    for await (const page of readSourcePages(embedded.db, spec, { after: null, pageSize: 2 })) users.push(...page);
    const view = Object.fromEntries(users.map((user) => [user.key, user.lookups]));
    expect(Object.keys(view)).toEqual(['1', '2', '3', '5', '6']);
    expect(view['1']).toEqual({
      profile: { rows: [{ member_id: '1', bio: 'one' }], sharedWith: 0 }, // only the columns asked for
      org: { rows: [{ id: 10, name: 'Acme', active: true }], sharedWith: 1 }, // 2 shares it, though on another page
      team: { rows: [{ id: 10, name: 'Acme', active: true }], sharedWith: 0 }, // many-to-one: sharing is not counted
    });
    expect(view['2']?.profile?.rows.map((row) => row.bio)).toEqual(['two-a', 'two-b']);
    expect(view['3']).toMatchObject({ profile: { rows: [] }, org: { rows: [{ id: 30 }], sharedWith: 0 } }); // 4 is deleted
    expect(view['5']).toMatchObject({ org: { rows: [], sharedWith: 0 } });
    expect(view['6']).toMatchObject({ org: { rows: [] }, team: { rows: [{ id: 20 }] } }); // the lookup's filter
  });

  it('refuses a lookup named like a column of the user row', async () => {
    const clash: SourceSpec = { table: 'members', primaryKey: 'id', lookups: { org_id: { table: 'orgs', key: 'id', userKey: 'org_id' } } };
    const read = async () => { for await (const page of readSourcePages(embedded.db, clash, { after: null, pageSize: 10 })) void page; };
    await expect(read()).rejects.toThrow('table "members" has a column "org_id", which lookup "org_id" would hide: give the lookup another name');
  });
});
