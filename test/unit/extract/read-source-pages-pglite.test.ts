import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoSchema } from '../../../src/demo/demo-schema.js';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/demo/embedded-database.js';
import { seedDemoUsers, type SeedDemoUsersResult } from '../../../src/demo/seed-demo-users.js';
import { countSourceRows } from '../../../src/extract/count-source-rows.js';
import { readSourcePages } from '../../../src/extract/read-source-pages.js';
import type { SourceRow } from '../../../src/mapping/source-row.js';
import type { SourceSpec } from '../../../src/mapping/source-spec.js';

// PGlite is a real PostgreSQL engine in-process (WebAssembly), not a mock: the demo reads from it,
// so the extractor must behave the same on it as on a server.

const spec: SourceSpec = {
  table: 'public.users',
  primaryKey: 'id',
  filter: { sql: 'deleted_at is null' },
  children: {
    wallets: { table: 'user_wallets', foreignKey: 'user_id', orderBy: 'id' },
    identities: { table: 'user_identities', foreignKey: 'user_id', orderBy: 'id desc' },
  },
};

let embedded: EmbeddedDatabase;
let seeded: SeedDemoUsersResult;

beforeAll(async () => {
  embedded = await openEmbeddedDatabase();
  await createDemoSchema(embedded.db);
  seeded = await seedDemoUsers(embedded.db, { count: 400, seed: 11 });
}, 120_000);

afterAll(async () => {
  await embedded?.close();
});

describe('readSourcePages on PGlite', () => {
  it('reads every non-deleted demo user once, in key order, with int8 keys as strings', async () => {
    const pages: SourceRow[][] = [];
    for await (const page of readSourcePages(embedded.db, spec, { after: null, pageSize: 50 })) pages.push(page);
    const users = pages.flat();
    const expected = await sql<{ id: string }>`select id from users where deleted_at is null order by id`.execute(embedded.db);
    expect(users.map((u) => u.key)).toEqual(expected.rows.map((r) => r.id));
    expect(users.length).toBe(seeded.users - seeded.deleted);
    expect(users.every((u) => typeof u.row.id === 'string')).toBe(true);
    expect(pages.slice(0, -1).every((page) => page.length === 50)).toBe(true);
    expect(await countSourceRows(embedded.db, spec, { after: null })).toBe(users.length);
  });

  it('reads and counts only a chunk (after, last] when given its upper end', async () => {
    const all = (await sql<{ id: string }>`select id from users where deleted_at is null order by id`.execute(embedded.db)).rows.map((r) => r.id);
    const after = all[9] as string;
    const last = all[29] as string;
    const keys: string[] = [];
    for await (const page of readSourcePages(embedded.db, spec, { after, last, pageSize: 7 })) keys.push(...page.map((u) => u.key));
    expect(keys).toEqual(all.slice(10, 30));
    expect(await countSourceRows(embedded.db, spec, { after, last })).toBe(20);
    expect(await countSourceRows(embedded.db, spec, { after: null, last })).toBe(30);
  });

  it('groups wallets and identities under their user in orderBy order', async () => {
    const users: SourceRow[] = [];
    for await (const page of readSourcePages(embedded.db, spec, { after: '100', pageSize: 7 })) users.push(...page);
    expect(users[0]?.key).toBe('101');
    const wallets = await sql<Record<string, unknown>>`select * from user_wallets order by id`.execute(embedded.db);
    const identities = await sql<Record<string, unknown>>`select * from user_identities order by id desc`.execute(embedded.db);
    for (const user of users) {
      expect(user.children.wallets).toEqual(wallets.rows.filter((w) => w.user_id === user.key));
      expect(user.children.identities).toEqual(identities.rows.filter((i) => i.user_id === user.key));
    }
    expect(users.filter((u) => (u.children.wallets?.length ?? 0) > 0).length).toBeGreaterThan(50);
  });
});
