import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

// The whole pipeline as a user runs it: the CLI as a child process, real PostgreSQL, the emulator
// as a separate server over HTTP.
describe('dynamic-migrate run, end to end', () => {
  let fixture: MigrationFixture;
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;
  const job = 'e2e';

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 400, seed: 11 });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  const argsFor = (jobName: string, ...extra: string[]) => [
    'run', '--mapping', 'mappings/example.ts', '--job', jobName, '--database-url', fixture.db.url, ...fixture.dirArgs, ...extra,
  ];
  const runArgs = (...extra: string[]) => argsFor(job, ...extra);
  const apiEnv = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });

  it('dry run sends nothing and writes the would-be payloads, the rejects and a summary', async () => {
    const result = await runCli(runArgs('--dry-run'), { DYNAMIC_API_URL: emulator.baseUrl });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3); // the seed holds deliberately invalid rows
    const summary = latestSummary(fixture.dir, job);
    expect(summary).toMatchObject({ dryRun: true, addsUp: true, wouldSend: fixture.expectedValid, rejected: fixture.seeded.deliberatelyInvalid });
    const runDir = latestRunDir(fixture.dir, job);
    const payloads = readJsonl(join(runDir, 'payloads.jsonl'));
    expect(payloads).toHaveLength(fixture.expectedValid);
    expect(statSync(join(runDir, 'payloads.jsonl')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(fixture.dir, 'checkpoints', `${job}.db`))).toBe(false);
    expect((await emulator.stats()).bulkRequests).toBe(0);
  });

  it('migrates every valid row exactly once, with wallets and OAuth accounts, and rejects the invalid ones', async () => {
    const result = await runCli(runArgs('--batch-size', '25'), apiEnv());
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/check\s+ok/);
    const summary = latestSummary(fixture.dir, job);
    expect(summary).toMatchObject({ addsUp: true, created: fixture.expectedValid, rejected: fixture.seeded.deliberatelyInvalid, failed: 0 });

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    const legacyIds = users.map((user) => String((user.metadata as Record<string, unknown>).legacyId));
    expect(new Set(legacyIds).size).toBe(users.length);
    expect(users).toHaveLength(fixture.expectedValid);

    // Field by field, against the source row of a user that has wallets and identities.
    const row = await fixture.db.admin
      .selectFrom('users as u')
      .select(['u.id', 'u.email', 'u.first_name'])
      .where('u.deleted_at', 'is', null)
      .where((eb) => eb.exists(eb.selectFrom('user_identities as i').select('i.id').whereRef('i.user_id', '=', 'u.id')))
      .where((eb) => eb.exists(eb.selectFrom('user_wallets as w').select('w.id').whereRef('w.user_id', '=', 'u.id')))
      .where(({ eb, fn }) => eb(fn('lower', ['u.email']), 'in', users.map((user) => String(user.email))))
      .orderBy('u.id')
      .executeTakeFirstOrThrow();
    const landed = users.find((user) => String((user.metadata as Record<string, unknown>).legacyId) === String(row.id));
    expect(landed?.email).toBe(String(row.email).trim().toLowerCase());
    const walletCount = await fixture.db.admin.selectFrom('user_wallets').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', row.id).executeTakeFirstOrThrow();
    expect((landed?.wallets as unknown[]).length).toBeGreaterThanOrEqual(Number(walletCount.n));
    expect((landed?.oauthAccounts as unknown[]).length).toBeGreaterThan(0);

    const rejects = readJsonl(join(latestRunDir(fixture.dir, job), 'rejects.jsonl'));
    expect(rejects.length).toBeGreaterThanOrEqual(fixture.seeded.deliberatelyInvalid);
    for (const rejection of rejects) {
      expect(rejection).toEqual(expect.objectContaining({ legacyId: expect.any(String), field: expect.any(String), rule: expect.any(String) }));
    }
  });

  it('a second run finds nothing left to do and creates nobody twice', async () => {
    const before = (await emulator.stats()).usersStored;
    const result = await runCli(runArgs(), apiEnv());
    expect(result.code).toBe(0);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ extracted: 0, created: 0, addsUp: true });
    expect((await emulator.stats()).usersStored).toBe(before);
  });

  it('status and export idmap read the ledger', async () => {
    const status = await runCli(['status', '--job', job, '--json', ...fixture.dirArgs.slice(0, 2)]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { counts: Record<string, number>; total: number };
    expect(parsed.counts.created).toBe(fixture.expectedValid);
    expect(parsed.counts.rejected).toBe(fixture.seeded.deliberatelyInvalid);

    const exported = await runCli(['export', 'idmap', '--job', job, '--format', 'csv', ...fixture.dirArgs.slice(0, 2)]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines[0]).toBe('legacy_id,dynamic_user_id,outcome');
    const created = lines.filter((line) => line.endsWith(',created'));
    expect(created).toHaveLength(fixture.expectedValid);
    for (const line of created) expect(line).toMatch(/^\d+,[0-9a-f-]{36},created$/);
  });

  it('a second job into the same environment finds the users already there, by look-up, instead of creating them again', async () => {
    const before = await emulator.stats();
    const result = await runCli(argsFor('e2e-again'), apiEnv());
    expect(result.code).toBe(3); // the seed's deliberately invalid rows
    const summary = latestSummary(fixture.dir, 'e2e-again') as Record<string, number>;
    // Every one clashes on an identity (email, wallet or OAuth account); the look-up finds a user
    // carrying its legacy id: already there, ours to update, not this job's to roll back.
    expect(summary).toMatchObject({ alreadyExisted: fixture.expectedValid, created: 0, updated: 0, conflicts: 0, failed: 0 });
    expect(readJsonl(join(latestRunDir(fixture.dir, 'e2e-again'), 'failed.jsonl'))).toEqual([]);
    const after = await emulator.stats();
    expect(after.usersStored).toBe(fixture.expectedValid);
    expect(after.upsertRequests).toBe(before.upsertRequests); // the same data: nothing to update
    const status = JSON.parse((await runCli(['status', '--job', 'e2e-again', '--json', ...fixture.dirArgs.slice(0, 2)])).stdout) as { counts: Record<string, number> };
    expect(status.counts.already_exists).toBe(fixture.expectedValid);
  });

  it('refuses to run a job against another environment than the one it started with', async () => {
    const result = await runCli(runArgs('--environment-id', '99999999-9999-4999-8999-999999999999'), apiEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/environment/);
    expect(result.stderr).toMatch(/reset --job e2e/);
  });

  it('reset asks for confirmation, and forgets the job with --yes', async () => {
    const dirArgs = fixture.dirArgs.slice(0, 2);
    const refused = await runCli(['reset', '--job', 'e2e-again', ...dirArgs]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect(existsSync(join(fixture.dir, 'checkpoints', 'e2e-again.db'))).toBe(true);
    const reset = await runCli(['reset', '--job', 'e2e-again', '--yes', ...dirArgs]);
    expect(reset.code).toBe(0);
    expect(existsSync(join(fixture.dir, 'checkpoints', 'e2e-again.db'))).toBe(false);
    expect((await runCli(['status', '--job', 'e2e-again', ...dirArgs])).code).toBe(2);
  });

  it('refuses bad configuration with exit code 2 and a one-line reason', async () => {
    const result = await runCli(runArgs(), { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_API_TOKEN: emulator.token });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/environment id/);
  });

  it('stops on a refused token with a clear message that never shows the token', async () => {
    const secret = 'dyn_wrong_secret_token_123';
    const result = await runCli(argsFor('e2e-badtoken'), { ...apiEnv(), DYNAMIC_API_TOKEN: secret });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/401/);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});
