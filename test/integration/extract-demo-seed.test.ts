import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTRY_PATTERN, EMAIL_PATTERN, NAME_PATTERN, USERNAME_PATTERN } from '../../src/contract/patterns.js';
import { createDemoSchema } from '../../src/demo/demo-schema.js';
import { seedDemoUsers, type SeedDemoUsersResult } from '../../src/demo/seed-demo-users.js';
import type { SourceDb } from '../../src/extract/connect-source.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

type Row = Record<string, unknown>;

async function dump(db: SourceDb): Promise<Record<string, Row[]>> {
  const tables = ['users', 'user_wallets', 'user_identities'];
  const entries = await Promise.all(
    tables.map(async (table) => [table, (await sql<Row>`select * from ${sql.table(table)} order by id`.execute(db)).rows] as const),
  );
  return Object.fromEntries(entries);
}

const databases: TestDatabase[] = [];
async function freshDemoDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  await createDemoSchema(database.admin);
  return database;
}

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

describe('seedDemoUsers', () => {
  let big: TestDatabase;
  let result: SeedDemoUsersResult;
  let users: Row[];
  let wallets: Row[];
  let identities: Row[];

  beforeAll(async () => {
    big = await freshDemoDatabase();
    const started = Date.now();
    result = await seedDemoUsers(big.admin, { count: 10_000, seed: 5 });
    const elapsed = Date.now() - started;
    // How long is the bench's to say, not a test's (a loaded machine would fail it).
    console.log(`seeded 10,000 demo users in ${elapsed} ms`);
    const tables = await dump(big.admin);
    users = tables.users ?? [];
    wallets = tables.user_wallets ?? [];
    identities = tables.user_identities ?? [];
  });

  it('reports what it inserted', () => {
    expect(users).toHaveLength(10_000);
    // One in 100 is dirty, cycling through the five kinds: two of them reject (40), three cost a field (60).
    expect(result).toMatchObject({ users: 10_000, wallets: wallets.length, identities: identities.length, deliberatelyInvalid: 40, droppedValue: 60 });
    expect(result.invalid).toHaveLength(100);
    expect(result.deleted).toBe(users.filter((u) => u.deleted_at !== null).length);
    expect(result.deleted).toBeGreaterThan(300);
    expect(result.deleted).toBeLessThan(700);
    const withWallets = new Set(wallets.map((w) => w.user_id)).size + users.filter((u) => u.eth_address !== null).length;
    expect(withWallets / 10_000).toBeGreaterThan(0.3);
    expect(new Set(identities.map((i) => i.user_id)).size / 10_000).toBeGreaterThan(0.25);
    expect(new Set(identities.map((i) => i.provider))).toEqual(new Set(['google_oauth2', 'github', 'discord']));
  });

  it('gives no two users the same email, username, wallet or OAuth identity', () => {
    const distinct = (values: unknown[]) => new Set(values).size === values.length;
    expect(distinct(users.filter((u) => u.email !== null).map((u) => String(u.email).toLowerCase()))).toBe(true);
    expect(distinct(users.filter((u) => u.username !== null).map((u) => u.username))).toBe(true);
    const addresses = [...wallets.map((w) => w.address), ...users.filter((u) => u.eth_address !== null).map((u) => u.eth_address)];
    expect(distinct(addresses.map((a) => String(a).toLowerCase()))).toBe(true);
    expect(distinct(identities.map((i) => `${String(i.provider)}:${String(i.provider_uid)}`))).toBe(true);
  });

  it('makes valid users valid and each deliberately invalid user invalid for its reason', () => {
    const invalid = new Map(result.invalid.map((entry) => [entry.key, entry.kind]));
    const dogeOwners = new Set(wallets.filter((w) => w.chain === 'dogecoin').map((w) => w.user_id));
    for (const user of users) {
      const kind = invalid.get(String(user.id));
      const checks = {
        emoji_in_name: NAME_PATTERN.test(String(user.first_name)) && NAME_PATTERN.test(String(user.last_name)),
        long_username: user.username === null || USERNAME_PATTERN.test(String(user.username)),
        alpha3_country: user.country === null || COUNTRY_PATTERN.test(String(user.country).toUpperCase()),
        malformed_email: user.email === null || EMAIL_PATTERN.test(String(user.email)),
        dogecoin_wallet: !dogeOwners.has(user.id),
      };
      for (const [rule, ok] of Object.entries(checks)) expect({ user: user.id, rule, ok }).toEqual({ user: user.id, rule, ok: rule !== kind });
      if (kind) expect(user.deleted_at).toBeNull();
    }
    expect(users.some((u) => /[^\p{Script=Latin} ]/u.test(String(u.first_name)))).toBe(true); // non-Latin scripts
    expect(users.some((u) => u.country !== null && String(u.country) !== String(u.country).toUpperCase())).toBe(true);
    expect(users.some((u) => u.email !== null && /[A-Z]/.test(String(u.email)))).toBe(true);
  });

  it('gives wallets addresses that look right for their chain', () => {
    const shapes: Record<string, RegExp> = {
      ethereum: /^0x[0-9a-f]{40}$/,
      polygon: /^0x[0-9a-f]{40}$/,
      solana: /^[1-9A-HJ-NP-Za-km-z]{32,44}$/,
      bitcoin: /^bc1q[02-9ac-hj-np-z]{38}$/,
      dogecoin: /^D[1-9A-HJ-NP-Za-km-z]{33}$/,
    };
    for (const wallet of wallets) expect(String(wallet.address)).toMatch(shapes[String(wallet.chain)] ?? /^$/);
    expect(new Set(wallets.map((w) => w.chain))).toEqual(new Set(Object.keys(shapes)));
    for (const user of users) if (user.eth_address !== null) expect(String(user.eth_address)).toMatch(shapes.ethereum as RegExp);
  });

  it('moves the id sequence past the seeded ids', async () => {
    const inserted = await sql<{ id: string }>`insert into users (email) values ('later@example.com') returning id`.execute(big.admin);
    expect(inserted.rows[0]?.id).toBe('10001');
  });
});

describe('seedDemoUsers determinism', () => {
  it('writes the same rows for the same seed, and different rows for another seed', async () => {
    const [a, b, c] = await Promise.all([freshDemoDatabase(), freshDemoDatabase(), freshDemoDatabase()]);
    await Promise.all([
      seedDemoUsers(a!.admin, { count: 300, seed: 42 }),
      seedDemoUsers(b!.admin, { count: 300, seed: 42 }),
      seedDemoUsers(c!.admin, { count: 300, seed: 43 }),
    ]);
    const [dumpA, dumpB, dumpC] = await Promise.all([dump(a!.admin), dump(b!.admin), dump(c!.admin)]);
    expect(dumpA.users).toHaveLength(300);
    expect(dumpB).toEqual(dumpA);
    expect(dumpC.users).not.toEqual(dumpA.users);
  });
});
