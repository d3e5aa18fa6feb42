import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/index.js';
import { createDemoSchema, seedDemoUsers } from '../../src/demo/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

// `check` as a user runs it: the CLI as a child process against a real PostgreSQL with the demo
// schema that mappings/example.ts maps.
describe('dynamic-migrate check', () => {
  let dirty: TestDatabase;
  let clean: TestDatabase;
  let dirtySeed: Awaited<ReturnType<typeof seedDemoUsers>>;
  let dir: string;

  beforeAll(async () => {
    [dirty, clean] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await Promise.all([createDemoSchema(dirty.admin), createDemoSchema(clean.admin)]);
    dirtySeed = await seedDemoUsers(dirty.admin, { count: 300, seed: 7, invalidEvery: 50 });
    await seedDemoUsers(clean.admin, { count: 250, seed: 8, invalidEvery: 0 });
    dir = mkdtempSync(join(tmpdir(), 'dm-check-'));
  });
  afterAll(async () => {
    await dirty?.drop();
    await clean?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const check = (url: string, ...extra: string[]) => runCli(['check', '--mapping', 'mappings/example.ts', '--database-url', url, ...extra]);
  const json = (result: CliResult) => JSON.parse(result.stdout) as CheckReport;
  /** A JSON mapping over the demo schema, with `change` applied. */
  const mappingFile = (name: string, change: (m: Record<string, unknown>) => void) => {
    const mapping: Record<string, unknown> = {
      source: { table: 'users', primaryKey: 'id', filter: { sql: 'deleted_at is null' }, children: { wallets: { table: 'user_wallets', foreignKey: 'user_id', orderBy: 'id' } } },
      fields: { email: { column: 'email', transforms: ['trim', 'lower'] }, firstName: 'first_name', emailVerifiedAt: { column: 'email_verified_at', transforms: ['isoTimestamp'] } },
      wallets: [{ from: 'wallets', address: 'address', chain: { column: 'chain', map: { ethereum: 'ETH', solana: 'SOL', polygon: 'EVM', bitcoin: 'BTC' } }, walletName: 'wallet_name', walletProvider: { constant: 'browserExtension' } }],
    };
    change(mapping);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(mapping));
    return file;
  };
  const checkFile = (file: string) => runCli(['check', '--mapping', file, '--database-url', clean.url, '--sample', '20']);
  const expectNoLeaks = (result: CliResult, url: string) => {
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    const password = decodeURIComponent(new URL(url).password);
    if (password) expect(result.stdout + result.stderr).not.toContain(password);
  };

  it('finds the example mapping sound on the demo schema and exits 3 for the deliberately invalid rows', async () => {
    const result = await check(dirty.url);
    expectNoLeaks(result, dirty.url);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('Schema: ok');
    expect(result.stdout).toContain('the mapping is sound, but');

    const report = json(await check(dirty.url, '--json'));
    expect(report).toMatchObject({ sound: true, exitCode: 3, problems: [] });
    expect(report.tables.map((table) => [table.table, table.resolved])).toEqual([
      ['users', 'public.users'], ['user_wallets', 'public.user_wallets'], ['user_identities', 'public.user_identities'],
    ]);
    expect(report.sample).toMatchObject({ requested: 1000, read: dirtySeed.users - dirtySeed.deleted, rejected: dirtySeed.deliberatelyInvalid });
    const invalidKeys = new Set(dirtySeed.invalid.map((user) => user.key));
    const examples = report.sample?.rejects.flatMap((group) => group.examples) ?? [];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(invalidKeys.has(example.legacyId)).toBe(true);
    // Personal data stays masked: no email of the seed appears in clear.
    const emails = await dirty.admin.selectFrom('users').select('email').where('email', 'is not', null).execute();
    for (const { email } of emails) expect(result.stdout).not.toContain(String(email));
  });

  it('exits 0 on a seed without invalid rows, with coverage that matches the data', async () => {
    const result = await check(clean.url, '--json');
    expectNoLeaks(result, clean.url);
    expect(result.code).toBe(0);
    const sample = json(result).sample;
    const live = await sql<{ users: number; emails: number; verified: number; eth_on_row: number; identities: number; with_identity: number }>`
      select count(*)::int as users,
             count(*) filter (where nullif(trim(email), '') is not null)::int as emails,
             count(email_verified_at)::int as verified,
             count(eth_address)::int as eth_on_row,
             (select count(*)::int from user_identities i join users u on u.id = i.user_id where u.deleted_at is null) as identities,
             (select count(distinct i.user_id)::int from user_identities i join users u on u.id = i.user_id where u.deleted_at is null) as with_identity
      from users where deleted_at is null`.execute(clean.admin);
    const chains = await sql<{ chain: string; n: number }>`
      select w.chain, count(*)::int as n from user_wallets w join users u on u.id = w.user_id where u.deleted_at is null group by w.chain`.execute(clean.admin);
    const expected = live.rows[0];
    if (!expected || !sample) throw new Error('no live counts or no sample');
    expect(sample).toMatchObject({ read: expected.users, mapped: expected.users, rejected: 0, rejects: [] });
    const field = (name: string) => sample.fields.find((entry) => entry.name === name);
    expect(field('email')).toEqual({ name: 'email', count: expected.emails, percent: Math.round((expected.emails / expected.users) * 10_000) / 100 });
    expect(field('emailVerifiedAt')?.count).toBe(expected.verified);
    expect(field('newsletterNotification')?.count).toBe(expected.users);
    expect(sample.metadata.find((entry) => entry.name === 'legacyId')).toEqual({ name: 'legacyId', count: expected.users, percent: 100 });
    const perChain = Object.fromEntries(chains.rows.map((row) => [row.chain, row.n]));
    const byChain = Object.fromEntries(sample.wallets.byChain.map((entry) => [entry.name, entry.count]));
    expect(byChain).toEqual(Object.fromEntries(Object.entries({
      ETH: (perChain.ethereum ?? 0) + expected.eth_on_row, SOL: perChain.solana ?? 0, EVM: perChain.polygon ?? 0, BTC: perChain.bitcoin ?? 0,
    }).filter(([, count]) => count > 0)));
    expect(sample.oauthAccounts).toMatchObject({ users: expected.with_identity, total: expected.identities });
  });

  it('samples only the first N rows in key order', async () => {
    const report = json(await check(clean.url, '--json', '--sample', '25'));
    expect(report.sample).toMatchObject({ requested: 25, read: 25, mapped: 25 });
    const text = await check(clean.url, '--sample', '0');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Sample: skipped (--sample 0)');
  });

  it('names a missing column and suggests the close one (exit 2)', async () => {
    const result = await checkFile(mappingFile('missing-column', (m) => {
      (m.fields as Record<string, unknown>).firstName = 'frist_name';
    }));
    expectNoLeaks(result, clean.url);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('users.frist_name: no such column (used by fields.firstName); did you mean "first_name"?');
    expect(result.stdout).toContain('Sample: skipped until the schema problems are fixed');
  });

  it('names a missing table, and every problem at once (exit 2)', async () => {
    const result = await runCli(['check', '--json', '--mapping', mappingFile('missing-table', (m) => {
      (m.source as { children: { wallets: { table: string } } }).children.wallets.table = 'user_walets';
      (m.fields as Record<string, unknown>).lastName = 'surname';
    }), '--database-url', clean.url]);
    expect(result.code).toBe(2);
    const report = json(result);
    expect(report).toMatchObject({ sound: false, exitCode: 2, sample: null });
    expect(report.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'missing_table', table: 'user_walets', suggestion: 'user_wallets' }),
      expect.objectContaining({ kind: 'missing_column', table: 'users', column: 'surname' }),
    ]));
    expect(report.problems).toHaveLength(2);
  });

  it('rejects a boolean transform on a timestamp column (exit 2)', async () => {
    const result = await checkFile(mappingFile('bad-type', (m) => {
      (m.fields as Record<string, unknown>).newsletterNotification = { column: 'created_at', transforms: ['boolean'] };
    }));
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('users.created_at (timestamp with time zone): transform "boolean" does not accept timestamp values');
  });

  it('reports a raw SQL filter the database refuses as a mapping problem (exit 2)', async () => {
    const result = await checkFile(mappingFile('bad-filter', (m) => {
      (m.source as { filter: { sql: string } }).filter.sql = 'deleted_att is null';
    }));
    expectNoLeaks(result, clean.url);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/error\s+reading the sample failed: .*deleted_att/);
  });

  it('reports a bad mapping, or a missing database URL, in one line (exit 2)', async () => {
    const bad = await checkFile(mappingFile('bad-mapping', (m) => {
      (m.fields as Record<string, unknown>).email = { column: 'email', transforms: ['uppr'] };
    }));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/bad-mapping\.json: fields\.email.*uppr/);
    const noUrl = await runCli(['check', '--mapping', 'mappings/example.ts']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('missing a database URL');
  });
});
