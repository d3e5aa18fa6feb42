import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/demo/embedded-database.js';
import { readChangedChildParents } from '../../../src/extract/read-changed-child-parents.js';
import { readSourcePages } from '../../../src/extract/read-source-pages.js';
import { withReadColumns } from '../../../src/extract/with-read-columns.js';
import type { SourceRow } from '../../../src/mapping/source-row.js';
import type { SourceSpec } from '../../../src/mapping/source-spec.js';

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
    // Each row carries the user it was matched with (`__dynamic_migrate_user`, left out of a whole-record read).
    const user = { __dynamic_migrate_user: '1' };
    expect(view['1']).toEqual({
      profile: { rows: [{ ...user, member_id: '1', bio: 'one' }], sharedWith: 0 }, // only the columns asked for
      org: { rows: [{ ...user, id: 10, name: 'Acme', active: true }], sharedWith: 1 }, // 2 shares it, though on another page
      team: { rows: [{ ...user, id: 10, name: 'Acme', active: true }], sharedWith: 0 }, // many-to-one: sharing is not counted
    });
    expect(view['2']?.profile?.rows.map((row) => row.bio)).toEqual(['two-a', 'two-b']);
    expect(view['3']).toMatchObject({ profile: { rows: [] }, org: { rows: [{ id: 30 }], sharedWith: 0 } }); // 4 is deleted
    expect(view['5']).toMatchObject({ org: { rows: [], sharedWith: 0 } });
    expect(view['6']).toMatchObject({ org: { rows: [] }, team: { rows: [{ id: 20 }] } }); // the lookup's filter
  });

  it('re-reads the users of changed lookup rows a page at a time, however many share one row', async () => {
    await sql.raw(`alter table orgs add column changed_at timestamptz not null default now()`).execute(embedded.db);
    const tracked: SourceSpec = { ...spec, lookups: { team: { table: 'orgs', key: 'id', userKey: 'org_id', relation: 'many-to-one', changeColumn: 'changed_at' } } };
    const pages: string[][] = [];
    for await (const page of readChangedChildParents(embedded.db, tracked, { child: 'team', since: '2000-01-01T00:00:00Z', upper: '2100-01-01T00:00:00Z', pageSize: 1 })) pages.push(page.map((user) => user.key));
    // Org 10 is the lookup of 1 and 2: two pages of one, not one page of two; 4 is deleted, 5 has no org.
    expect(pages).toEqual([['1'], ['2'], ['6'], ['3']]);
  });

  it('refuses, before reading anything, a lookup or pick named like a column of the user row', async () => {
    const clash: SourceSpec = { table: 'members', primaryKey: 'id', lookups: { org_id: { table: 'orgs', key: 'id', userKey: 'org_id' } } };
    await expect(withReadColumns(embedded.db, clash, { source: ['id'], children: {} })).rejects.toThrow('table "members" has a column "org_id", which the lookup or pick "org_id" would hide: give it another name');
  });

  it('matches keys as PostgreSQL compares them, not as their text, across key types check lets through', async () => {
    await sql.raw(`create table ledger (id int primary key, account numeric(10,2))`).execute(embedded.db);
    await sql.raw(`create table accounts (no numeric primary key, label text)`).execute(embedded.db);
    await sql.raw(`insert into ledger values (1, 7.00), (2, 8.50)`).execute(embedded.db);
    await sql.raw(`insert into accounts values (7, 'seven'), (8.5, 'eight and a half')`).execute(embedded.db);
    // numeric(10,2) against an integer key, int8 beyond int4's range against int4, char(5) against text.
    await sql.raw(`create table codes (n int primary key, code text, label text)`).execute(embedded.db);
    await sql.raw(`create table holders (id int primary key, account numeric(10,2), big int8, code char(5))`).execute(embedded.db);
    await sql.raw(`insert into codes values (7, 'ab', 'seven-ab')`).execute(embedded.db);
    await sql.raw(`insert into holders values (1, 7.00, 7, 'ab'), (2, 8.50, 9000000000, 'zz')`).execute(embedded.db);
    const read = async (spec: SourceSpec) => {
      const users: SourceRow[] = [];
      for await (const page of readSourcePages(embedded.db, spec, { after: null, pageSize: 10 })) users.push(...page);
      return users.map((user) => Object.values(user.lookups ?? {}).map((found) => found.rows.map((row) => row.label)));
    };
    expect(await read({ table: 'ledger', primaryKey: 'id', lookups: { acct: { table: 'accounts', key: 'no', userKey: 'account' } } })).toEqual([[['seven']], [['eight and a half']]]);
    expect(await read({
      table: 'holders', primaryKey: 'id',
      lookups: {
        byAccount: { table: 'codes', key: 'n', userKey: 'account', relation: 'many-to-one' },
        byBig: { table: 'codes', key: 'n', userKey: 'big', relation: 'many-to-one' },
        byCode: { table: 'codes', key: 'code', userKey: 'code', relation: 'many-to-one' },
      },
    })).toEqual([[['seven-ab'], ['seven-ab'], ['seven-ab']], [[], [], []]]);
  });
});
