import { sql, type LogEvent } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoSchema } from '../../src/demo/demo-schema.js';
import { seedDemoUsers } from '../../src/demo/seed-demo-users.js';
import { ConfigError, ExtractError } from '../../src/errors.js';
import { connectSource, type SourceDb } from '../../src/extract/connect-source.js';
import { countSourceRows } from '../../src/extract/count-source-rows.js';
import { readSourcePages } from '../../src/extract/read-source-pages.js';
import type { SourceRow } from '../../src/mapping/source-row.js';
import type { SourceSpec } from '../../src/mapping/source-spec.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { FILTER_CASES, createFilterTables, filterSpec } from '../unit/extract/filter-cases.js';

const demoSpec: SourceSpec = {
  table: 'users',
  primaryKey: 'id',
  filter: { sql: 'deleted_at is null' },
  children: {
    wallets: { table: 'user_wallets', foreignKey: 'user_id', orderBy: 'id' },
    identities: { table: 'user_identities', foreignKey: 'user_id', orderBy: 'created_at desc, id' },
  },
};

let database: TestDatabase;
let source: SourceDb;
/** Keys of the non-deleted demo users, in key order, read straight from the database. */
let liveKeys: string[];

async function readAll(db: SourceDb, spec: SourceSpec, after: string | null, pageSize: number): Promise<SourceRow[][]> {
  const pages: SourceRow[][] = [];
  for await (const page of readSourcePages(db, spec, { after, pageSize })) {
    pages.push(page);
    // A broken keyset condition could loop forever; fail fast instead of timing out.
    if (pages.length > 2000) throw new Error('more pages than rows: pagination does not advance');
  }
  return pages;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await createDemoSchema(database.admin);
  await seedDemoUsers(database.admin, { count: 1000, seed: 7 });
  const rows = await sql<{ id: string }>`select id::text as id from users where deleted_at is null order by users.id`.execute(database.admin);
  liveKeys = rows.rows.map((row) => row.id);
  await createFilterTables(database.admin);
  source = connectSource(database.url);
});

afterAll(async () => {
  await source?.destroy();
  await database?.drop();
});

describe('readSourcePages on PostgreSQL', () => {
  it('yields every non-deleted user exactly once, in key order, in full pages', async () => {
    const pages = await readAll(source, demoSpec, null, 64);
    const keys = pages.flat().map((user) => user.key);
    expect(liveKeys.length).toBeGreaterThan(900);
    expect(liveKeys.length).toBeLessThan(1000); // some are soft-deleted, so the filter matters
    expect(keys).toEqual(liveKeys);
    expect(pages.slice(0, -1).every((page) => page.length === 64)).toBe(true);
    expect(pages.flat().every((user) => user.row.deleted_at === null && user.key === user.row.id)).toBe(true);
  });

  it('resumes strictly after the given key, also when that key is filtered out', async () => {
    const after = liveKeys[300] as string;
    expect((await readAll(source, demoSpec, after, 100)).flat().map((u) => u.key)).toEqual(liveKeys.slice(301));

    const deleted = await sql<{ id: string }>`select id::text as id from users where deleted_at is not null order by users.id limit 1`.execute(database.admin);
    const deletedKey = deleted.rows[0]?.id as string;
    const expected = liveKeys.filter((key) => BigInt(key) > BigInt(deletedKey));
    expect((await readAll(source, demoSpec, deletedKey, 100)).flat().map((u) => u.key)).toEqual(expected);
  });

  it('groups child rows under their user, in orderBy order, with [] for none', async () => {
    const users = (await readAll(source, demoSpec, null, 128)).flat();
    const wallets = await sql<Record<string, unknown>>`select * from user_wallets order by id`.execute(database.admin);
    const identities = await sql<Record<string, unknown>>`select * from user_identities order by created_at desc, id`.execute(database.admin);
    const live = new Set(liveKeys);
    const expectedWallets = (key: string) => wallets.rows.filter((w) => w.user_id === key);
    const expectedIdentities = (key: string) => identities.rows.filter((i) => i.user_id === key);
    for (const user of users) {
      expect(Object.keys(user.children).sort()).toEqual(['identities', 'wallets']);
      expect(user.children.wallets).toEqual(expectedWallets(user.key));
      expect(user.children.identities).toEqual(expectedIdentities(user.key));
    }
    const childCount = (name: string) => users.reduce((n, u) => n + (u.children[name]?.length ?? 0), 0);
    expect(childCount('wallets')).toBe(wallets.rows.filter((w) => live.has(w.user_id as string)).length);
    expect(childCount('identities')).toBe(identities.rows.filter((i) => live.has(i.user_id as string)).length);
    expect(users.some((u) => (u.children.wallets?.length ?? 0) > 1)).toBe(true);
    expect(users.some((u) => u.children.wallets?.length === 0 && u.children.identities?.length === 0)).toBe(true);
  });

  it('handles page size 1 and a row count that is an exact multiple of the page size', async () => {
    const lastFive = liveKeys.slice(-5);
    const single = await readAll(source, demoSpec, liveKeys.at(-6) as string, 1);
    expect(single.map((page) => page.map((u) => u.key))).toEqual(lastFive.map((key) => [key]));

    const exact = await readAll(source, demoSpec, liveKeys.at(-7) as string, 3);
    expect(exact.map((page) => page.length)).toEqual([3, 3]);
    expect(await readAll(source, demoSpec, liveKeys.at(-1) as string, 10)).toEqual([]);
  });

  it('rejects a page size that is not a positive integer', async () => {
    await expect(readAll(source, demoSpec, null, 0)).rejects.toBeInstanceOf(ConfigError);
    await expect(readAll(source, demoSpec, null, 2.5)).rejects.toBeInstanceOf(ConfigError);
  });

  it('wraps the raw filter in parentheses, so an `or` cannot undo the keyset condition', async () => {
    const spec: SourceSpec = { ...demoSpec, filter: { sql: "plan = 'pro' or plan = 'team'" } };
    const after = liveKeys[500] as string;
    const keys = (await readAll(source, spec, after, 50)).flat().map((u) => u.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => BigInt(key) > BigInt(after))).toBe(true);
    expect(await countSourceRows(source, spec, { after: after })).toBe(keys.length);
  });

  it('runs one query per page per table, never one per user', async () => {
    const selects: string[] = [];
    const log = (event: LogEvent) => {
      if (event.level === 'query') selects.push(event.query.sql);
    };
    const counted = connectSource(database.url, { log });
    try {
      const pages = await readAll(counted, demoSpec, null, 100);
      const fullLastPage = liveKeys.length % 100 === 0;
      // Per page: users, wallets, identities; plus one empty read when the last page was full.
      expect(selects.filter((q) => q.startsWith('select * from "users"')).length).toBe(pages.length + (fullLastPage ? 1 : 0));
      expect(selects.filter((q) => q.startsWith('select * from "user_wallets"')).length).toBe(pages.length);
      expect(selects.filter((q) => q.startsWith('select * from "user_identities"')).length).toBe(pages.length);
      expect(selects.every((q) => !/offset/i.test(q))).toBe(true);
    } finally {
      await counted.destroy();
    }
  });

  it('counts the rows it will read, with the same filter and resume point', async () => {
    expect(await countSourceRows(source, demoSpec, { after: null })).toBe(liveKeys.length);
    expect(await countSourceRows(source, demoSpec, { after: liveKeys[99] as string })).toBe(liveKeys.length - 100);
    expect(await countSourceRows(source, { table: 'users', primaryKey: 'id' }, { after: null })).toBe(1000);
  });

  it('stops with an AbortError when the signal is aborted between pages', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const page of readSourcePages(source, demoSpec, { after: null, pageSize: 10, signal: controller.signal })) {
        seen.push(...page.map((u) => u.key));
        controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual(liveKeys.slice(0, 10));
  });
});

describe('schema-qualified tables, odd names and big keys', () => {
  beforeAll(async () => {
    await sql`create schema legacy`.execute(database.admin);
    await sql`create table legacy."Account ""Holders""" (account_no bigint primary key, name text)`.execute(database.admin);
    await sql`create table legacy.links (id serial primary key, account_no bigint not null, url text)`.execute(database.admin);
    await sql`insert into legacy."Account ""Holders""" values
      (9007199254740993, 'a'), (9007199254740995, 'b'), (9223372036854775807, 'c'), (42, 'd')`.execute(database.admin);
    await sql`insert into legacy.links (account_no, url) values
      (9007199254740995, 'x'), (9007199254740993, 'y'), (9007199254740995, 'z')`.execute(database.admin);
  });

  const spec: SourceSpec = {
    table: 'legacy.Account "Holders"',
    primaryKey: 'account_no',
    children: { links: { table: 'legacy.links', foreignKey: 'account_no', orderBy: 'url desc' } },
  };

  it('quotes schema.table and keeps int8 keys exact as strings', async () => {
    const users = (await readAll(source, spec, null, 2)).flat();
    expect(users.map((u) => u.key)).toEqual(['42', '9007199254740993', '9007199254740995', '9223372036854775807']);
    expect(users.every((u) => typeof u.row.account_no === 'string')).toBe(true);
    expect(users[2]?.children.links?.map((l) => l.url)).toEqual(['z', 'x']);
    expect(users[0]?.children.links).toEqual([]);
    const resumed = (await readAll(source, spec, '9007199254740993', 10)).flat().map((u) => u.key);
    expect(resumed).toEqual(['9007199254740995', '9223372036854775807']);
  });

  it('rejects an orderBy that is not a list of columns', async () => {
    const bad: SourceSpec = { ...spec, children: { links: { table: 'legacy.links', foreignKey: 'account_no', orderBy: 'url; drop table x' } } };
    await expect(readAll(source, bad, null, 10)).rejects.toBeInstanceOf(ConfigError);
  });

  it('names the missing table or column in an ExtractError', async () => {
    const missingTable = readAll(source, { table: 'legacy.nope', primaryKey: 'id' }, null, 10);
    await expect(missingTable).rejects.toThrow(ExtractError);
    await expect(missingTable).rejects.toThrow(/legacy\.nope/);
    await expect(readAll(source, { table: 'users', primaryKey: 'user_id' }, null, 10)).rejects.toThrow(/column "user_id" does not exist/);
    const badChild: SourceSpec = { ...demoSpec, children: { wallets: { table: 'user_wallets', foreignKey: 'owner_id' } } };
    await expect(readAll(source, badChild, null, 10)).rejects.toThrow(/child "wallets" from table "user_wallets".*"owner_id"/);
  });
});

describe('connectSource', () => {
  it('cannot write to the legacy database, even inside an explicit transaction', async () => {
    await expect(source.insertInto('users').values({ email: 'intruder@example.com' }).execute()).rejects.toThrow(/read-only transaction/);
    await expect(sql`update users set plan = 'hacked'`.execute(source)).rejects.toThrow(/read-only transaction/);
    await expect(source.transaction().execute((trx) => sql`delete from user_wallets`.execute(trx))).rejects.toThrow(/read-only/);
    const hacked = await sql<{ n: string }>`select count(*)::text as n from users where plan = 'hacked' or email = 'intruder@example.com'`.execute(database.admin);
    expect(hacked.rows[0]?.n).toBe('0');
  });

  it('never puts the password in a connection error', async () => {
    const password = 'Sup3r-S3cret%21pass';
    const unreachable = new URL(database.url);
    unreachable.password = password;
    unreachable.port = '1'; // nothing listens there
    const noDatabase = new URL(database.url);
    noDatabase.password = password;
    noDatabase.pathname = '/no_such_database';
    for (const url of [unreachable.toString(), noDatabase.toString()]) {
      const db = connectSource(url);
      try {
        const error = await sql`select 1`.execute(db).then(() => undefined, (thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(ExtractError);
        const message = (error as Error).message;
        expect(message).toContain('cannot connect to the source database');
        expect(message).toContain(`/${new URL(url).pathname.slice(1)}`);
        const everything = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause) + ((error as Error).cause as Error | undefined)?.stack;
        for (const secret of [password, decodeURIComponent(password), url]) expect(everything).not.toContain(secret);
      } finally {
        await db.destroy();
      }
    }
  });
});

describe('declarative filters on PostgreSQL', () => {
  it.each(FILTER_CASES)('%s keeps the right rows, and counts them alike', async (_name, filter, ids) => {
    const spec = filterSpec(filter);
    expect((await readAll(source, spec, null, 2)).flat().map((user) => user.key)).toEqual(ids);
    expect(await countSourceRows(source, spec, { after: null })).toBe(ids.length);
  });

  it('filters child rows with bound values', async () => {
    const users = (await readAll(source, filterSpec({ isNull: 'deleted_at' }, { all: [{ equals: { column: 'hidden', value: false } }, { notNull: 'kind' }] }), null, 3)).flat();
    expect(users.map((user) => [user.key, user.children.items?.map((item) => item.id)])).toEqual([['1', ['10']], ['2', ['12']], ['4', []], ['5', []]]);
  });
});
