import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;

// Rollback as a user runs it: a real migration into the emulator (some of whose users existed
// before), then the CLI deletes exactly what the job created, survives a SIGKILL, and finishes.
describe('dynamic-migrate rollback, end to end', () => {
  let fixture: MigrationFixture;
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;
  const job = 'rb';
  let preexisting: Set<string>;
  let createdCount = 0;

  const apiEnv = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });
  const checkpointArgs = () => ['--job', job, '--checkpoint-dir', join(fixture.dir, 'checkpoints')];
  const userIds = async () => new Set((await emulator.listUsers(ENVIRONMENT_ID)).map((user) => String(user.id)));
  const ledgerCounts = async () => {
    const status = await runCli(['status', ...checkpointArgs(), '--json']);
    return (JSON.parse(status.stdout) as { counts: Record<string, number> }).counts;
  };

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 150, seed: 23 });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
    // Users someone else put there before the job: three the source also holds, one it does not.
    const rows = await fixture.db.admin.selectFrom('users').select(['email']).where('deleted_at', 'is', null).orderBy('id').execute();
    const emails = rows.map((row) => String(row.email ?? '').trim().toLowerCase()).filter((email) => EMAIL.test(email)).slice(0, 3);
    const response = await fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([...emails, 'not-in-the-source@example.org'].map((email) => ({ email }))),
    });
    expect(response.ok, await response.clone().text()).toBe(true);
    preexisting = await userIds();
    expect(preexisting.size).toBe(4);

    const run = await runCli(['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, ...fixture.dirArgs], apiEnv());
    expect(run.stderr).not.toMatch(/unexpected error/);
    const counts = await ledgerCounts();
    expect(counts.conflict).toBeGreaterThanOrEqual(1); // the source's rows whose emails someone else holds
    createdCount = counts.created ?? 0;
    expect(createdCount).toBeGreaterThan(40);
    expect((await userIds()).size).toBe(preexisting.size + createdCount);
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('refuses without a terminal and without --yes (exit 2), deleting nothing', async () => {
    const result = await runCli(['rollback', ...checkpointArgs()], apiEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect((await userIds()).size).toBe(preexisting.size + createdCount);
  });

  it('--dry-run previews what it would delete and what it leaves, deleting nothing', async () => {
    const result = await runCli(['rollback', ...checkpointArgs(), '--dry-run'], { DYNAMIC_API_URL: emulator.baseUrl });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`will delete   ${createdCount} user(s)`);
    expect(result.stdout).toMatch(/will NOT touch:\n.*someone else holds its email.*\(outcome conflict\)/);
    expect(result.stdout).not.toMatch(/@/); // legacy ids only, no emails
    expect((await userIds()).size).toBe(preexisting.size + createdCount);
  });

  it('refuses another environment than the job ran against', async () => {
    const result = await runCli(['rollback', ...checkpointArgs(), '--yes', '--environment-id', '11111111-2222-4333-8444-555555555555'], apiEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ran against environment/);
  });

  it('killed with SIGKILL mid-way, then rerun: deletes exactly the users the job created and leaves the others', async () => {
    // --rate-limit 20: twenty deletions at once, then a minute's wait, during which it is killed.
    const { child, done } = spawnCli(['rollback', ...checkpointArgs(), '--yes', '--rate-limit', '20', '--concurrency', '1'], apiEnv());
    const deadline = Date.now() + 15_000;
    while ((await userIds()).size > preexisting.size + createdCount - 20 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    expect((await userIds()).size).toBe(preexisting.size + createdCount - 20);
    expect(existsSync(join(fixture.dir, 'checkpoints', `${job}.lock`))).toBe(true); // left behind; taken over below
    expect((await ledgerCounts()).rolled_back).toBe(20);

    const rerun = await runCli(['rollback', ...checkpointArgs(), '--yes'], apiEnv());
    expect(rerun.stderr).not.toMatch(/unexpected error|warning/);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/already done\s+20 user/);
    expect(await userIds()).toEqual(preexisting);
    const counts = await ledgerCounts();
    expect(counts).toMatchObject({ created: 0, rolled_back: createdCount });

    const again = await runCli(['rollback', ...checkpointArgs(), '--yes'], apiEnv());
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to delete.');
  });
});
