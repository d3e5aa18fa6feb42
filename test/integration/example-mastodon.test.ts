import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { byLegacyId, createExampleFixture, legacyIdOf, runSqlFile } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';

// mappings/mastodon.ts end to end on Mastodon's own tables (test/fixtures/mastodon): the login in
// users, the handle in accounts, an N:1 key (users.account_id → accounts.id) declared one-to-one;
// real PostgreSQL, the CLI and the emulator as child processes.
describe('a Mastodon server: the handle lives in accounts, the login in users', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;
  const job = 'mastodon';
  const env = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });
  const args = (...extra: string[]) => ['run', '--mapping', 'mappings/mastodon.ts', '--database-url', fixture.db.url, ...fixture.dirArgs, '--batch-size', '5', '--lag', '0', ...extra];
  const ALL = Array.from({ length: 16 }, (_, i) => String(i + 1));

  beforeAll(async () => {
    fixture = await createExampleFixture(async (db) => {
      await runSqlFile(db, new URL('../fixtures/mastodon/schema.sql', import.meta.url));
      await runSqlFile(db, new URL('../fixtures/mastodon/seed.sql', import.meta.url));
    });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('check says the one-to-one lookup is not one on the sample, naming the users', async () => {
    const result = await runCli(['check', '--mapping', 'mappings/mastodon.ts', '--database-url', fixture.db.url, '--sample', '100']);
    expect(result.stdout).toMatch(/accounts\s+public\.accounts, \d+ columns\s+\(source\.lookups\.account\.table\)/);
    expect(result.stdout).toMatch(/warning\s+lookup "account" is declared one-to-one, but 2 sampled user\(s\) share their accounts row with another user \(e\.g\. 9, 10\)/);
    expect(result.stdout).toMatch(/16 map cleanly, 0 would be rejected/);
    expect(result.code).toBe(0);
  });

  it('dry run: handle and display name from accounts; a shared account costs its values, not the logins', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const runDir = latestRunDir(fixture.dir, job);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ dryRun: true, addsUp: true, extracted: 16, wouldSend: 16, rejected: 0 });
    const payloads = byLegacyId(readJsonl(join(runDir, 'payloads.jsonl')).map((line) => line.payload as Record<string, unknown>), 'mastodonUserId');
    expect([...payloads.keys()].sort()).toEqual([...ALL].sort());
    const at = (id: number) => payloads.get(String(id));
    // Account ids past 2^53 stay exact (int8 is text end to end); stripForbidden takes the emoji out of the name.
    expect(at(2)).toMatchObject({ email: 'alice@example.com', username: 'alice', alias: 'Alice', metadata: { mastodonAccountId: '110123456789000002', handle: 'alice' } });
    expect(at(2)?.emailVerifiedAt).toMatch(/^2023-05-01T09:10:00/);
    expect(at(3)).not.toHaveProperty('emailVerifiedAt');
    expect(at(4)).toMatchObject({ email: 'carol@example.com' }); // not the pending unconfirmed_email
    expect(at(6)).not.toHaveProperty('alias'); // display_name ''
    // Handles Dynamic cannot take are left out, the person sent.
    expect(at(7)).not.toHaveProperty('username');
    expect(at(8)).not.toHaveProperty('username');
    for (const id of [9, 10]) {
      expect(at(id)).toMatchObject({ email: id === 9 ? 'grace@example.com' : 'grace.alt@example.net', metadata: { locale: 'en' } });
      expect(at(id)).not.toHaveProperty('username');
      expect(at(id)?.metadata).not.toHaveProperty('handle');
    }
    const report = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(runDir, 'report.json'), 'utf8'))) as { dropped: Array<{ field: string; rule: string; rows: number; examples: Array<{ legacyId: string }> }> };
    const shared = report.dropped.find((group) => group.field === 'username' && group.rule === 'lookup_shared');
    expect(shared?.examples.map((example) => example.legacyId)).toEqual(['9', '10']);
    expect(report.dropped.find((group) => group.field === 'username' && group.rule === 'pattern')?.examples.map((example) => example.legacyId)).toEqual(['7', '8']);
  });

  it('real run, then an edited account re-sends its user alone through the lookup\'s change column', async () => {
    const first = await runCli(args(), env());
    expect(first.stderr).not.toMatch(/unexpected error/);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ addsUp: true, created: 16, failed: 0, rejected: 0, inDoubt: 0 });
    const landed = byLegacyId(await emulator.listUsers(ENVIRONMENT_ID), 'mastodonUserId');
    expect([...landed.keys()].sort()).toEqual([...ALL].sort());
    expect(landed.get('12')).toMatchObject({ username: 'Judy_K', alias: ':blobcat: Judy' });

    // Only the account changes (users.updated_at stays): the lookup's changeColumn finds its user.
    await sql`update accounts set display_name = 'Judy Kay', updated_at = now() where id = 110123456789000011`.execute(fixture.db.admin);
    const second = await runCli(args(), env());
    expect(second.stderr).not.toMatch(/unexpected error/);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ phase: 'incremental', addsUp: true, updated: 1, created: 0, failed: 0 });
    const after = byLegacyId(await emulator.listUsers(ENVIRONMENT_ID), 'mastodonUserId');
    expect(after.get('12')).toMatchObject({ alias: 'Judy Kay' });
    expect(legacyIdOf(after.get('12')!, 'mastodonUserId')).toBe('12');
  });
});
