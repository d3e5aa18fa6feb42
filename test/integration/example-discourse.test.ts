import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { byLegacyId, createExampleFixture, legacyIdOf, rejectionKeys, runSqlFile } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';

// mappings/discourse.ts end to end on Discourse's own tables (test/fixtures/discourse): the email
// picked from user_emails, the profile looked up in user_profiles, the logins a child; real
// PostgreSQL, the CLI and the emulator as child processes.
describe('a Discourse forum: email, profile and logins in three tables beside users', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;
  const job = 'discourse';
  const args = (...extra: string[]) => ['run', '--mapping', 'mappings/discourse.ts', '--database-url', fixture.db.url, ...fixture.dirArgs, '--batch-size', '5', ...extra];

  /** Bots (ids below 1) and the staged user 9 are filtered out; 4 has neither a primary email nor a login; 6 has two primary emails. */
  const REJECTED = ['4 (user) no_sign_in_method', '6 email pick_not_unique'];
  const SENT = ['1', '2', '3', '5', '7', '8', '10', '11', '12', '13', '14', '15', '16'];

  beforeAll(async () => {
    fixture = await createExampleFixture(async (db) => {
      await runSqlFile(db, new URL('../fixtures/discourse/schema.sql', import.meta.url));
      await runSqlFile(db, new URL('../fixtures/discourse/seed.sql', import.meta.url));
    });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('check finds the lookup table and its columns, and samples the rows as run would', async () => {
    const result = await runCli(['check', '--mapping', 'mappings/discourse.ts', '--database-url', fixture.db.url, '--sample', '100']);
    expect(result.stdout).toMatch(/user_profiles\s+public\.user_profiles, 12 columns\s+\(source\.lookups\.profile\.table\)/);
    expect(result.stdout).toMatch(/13 map cleanly, 2 would be rejected/);
    expect(result.stdout).toMatch(/email pick_not_unique: 1 row, e\.g\. 6/);
    expect(result.code).toBe(3);
  });

  it('dry run: the primary email, the profile, the secondary emails and every login of each person', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const runDir = latestRunDir(fixture.dir, job);
    const rejects = readJsonl(join(runDir, 'rejects.jsonl'));
    expect(rejectionKeys(rejects)).toEqual([...REJECTED].sort());
    expect(rejects.find((r) => r.legacyId === '6')?.message).toMatch(/pick "primary_email" \(a row of child "emails"\): 2 rows qualify, and the pick is declared unique/);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ dryRun: true, addsUp: true, extracted: 15, wouldSend: SENT.length, rejected: 2 });

    const payloads = byLegacyId(readJsonl(join(runDir, 'payloads.jsonl')).map((line) => line.payload as Record<string, unknown>), 'discourseUserId');
    expect([...payloads.keys()].sort()).toEqual([...SENT].sort());
    const at = (id: number) => payloads.get(String(id));
    expect(at(1)).toMatchObject({
      email: 'alice@example.com',
      username: 'alice',
      alias: 'Alice Archer',
      metadata: { location: 'Lisbon, Portugal', website: 'https://alice.example.com', secondaryEmails: ['alice.archer+forum@example.org'], trustLevel: 4 },
      oauthAccounts: [{ provider: 'google', accountId: '104000000000000000001', emails: ['alice@example.com'], displayName: 'Alice Archer' }],
    });
    expect(at(2)).toMatchObject({ email: 'bob@example.com', metadata: { secondaryEmails: ['bob.work@example.net', 'bob@example.org'] } });
    // An empty profile is no value; two logins, the discord one without an email.
    expect(at(3)?.metadata).not.toHaveProperty('location');
    expect((at(3)?.oauthAccounts as Array<{ provider: string; emails?: string[] }>).map((a) => [a.provider, a.emails])).toEqual([['github', ['carol.gh@example.com']], ['discord', undefined]]);
    // No email row at all: sent with the Google login to sign in with.
    expect(at(5)).not.toHaveProperty('email');
    expect(at(5)).toMatchObject({ oauthAccounts: [{ provider: 'google', accountId: '104000000000000000005' }], metadata: { location: 'Berlin', secondaryEmails: [] } });
    // No profile row: its fields are simply absent.
    expect(at(7)).toMatchObject({ email: 'grace@example.com' });
    expect(at(7)?.metadata).not.toHaveProperty('bio');
    expect(at(10)).toMatchObject({ username: 'judy_smith', metadata: { discourseUsername: 'judy.smith' } });
    expect((at(11)?.username as string).length).toBe(20);
    expect(at(13)).toMatchObject({ metadata: { location: 'Oslo 🇳🇴', website: 'not a url' } });
    expect(at(14)).toMatchObject({ username: 'Zoë', email: 'zoe@example.com' });
  });

  it('real run: every person who can sign in lands, with the values from all four tables', async () => {
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const result = await runCli(args('--lag', '0'), env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ addsUp: true, created: SENT.length, failed: 0, rejected: 2, inDoubt: 0 });
    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(users.map((user) => legacyIdOf(user, 'discourseUserId')).sort()).toEqual([...SENT].sort());
    const landed = byLegacyId(users, 'discourseUserId');
    expect(landed.get('2')).toMatchObject({ email: 'bob@example.com', username: 'bob' });
    expect(landed.get('15')).toMatchObject({ email: 'olivia@example.com', metadata: { location: 'Madrid' } });

    // Bob makes his work address the primary one: only user_emails changes, and the pick follows it.
    await sql`update user_emails set "primary" = (id = 4), updated_at = now() where user_id = 2`.execute(fixture.db.admin);
    const rerun = await runCli(args('--lag', '0'), env);
    expect(rerun.stderr).not.toMatch(/unexpected error/);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ phase: 'incremental', addsUp: true, updated: 1, created: 0, failed: 0 });
    const bob = byLegacyId(await emulator.listUsers(ENVIRONMENT_ID), 'discourseUserId').get('2');
    expect(bob).toMatchObject({ email: 'bob.work@example.net', metadata: { secondaryEmails: ['bob@example.com', 'bob@example.org'] } });
  });
});
