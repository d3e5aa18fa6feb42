import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import { waitUntil } from '../helpers/wait-until.js';


// The guards around a job: one run at a time, no silent restart from a damaged checkpoint, and no
// run with a changed mapping unless the user says so.
describe('job guards', () => {
  let fixture: MigrationFixture;
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 300, seed: 41 });
    emulator = await startEmulatorProcess(['--rate-limit', '0', '--latency-rate', '1', '--latency-ms', '150']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  const run = (job: string, mapping = 'mappings/example.ts', ...extra: string[]) => ({
    args: ['run', '--mapping', mapping, '--job', job, '--database-url', fixture.db.url, '--batch-size', '10', '--concurrency', '1', ...fixture.dirArgs, ...extra],
    env: { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token },
  });

  it('refuses a second run of a job while one is running, and takes over the lock of a killed run', async () => {
    const first = run('locked');
    const { child, done } = spawnCli(first.args, first.env);
    await waitUntil(async () => (await emulator.stats()).bulkRequests > 0, 30_000);
    const second = await runCli(first.args, first.env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already running \(pid \d+/);
    child.kill('SIGKILL');
    await done;
    const third = await runCli(first.args, first.env);
    expect(third.stderr).not.toMatch(/already running/);
    // 3 only if a row the mapping rejects was still to be read after the kill: which, depends on when it came.
    expect([0, fixture.cleanExit]).toContain(third.code);
    expect(await emulator.listUsers(ENVIRONMENT_ID)).toHaveLength(fixture.expectedValid);
  });

  it('reports a damaged checkpoint loudly and leaves it untouched instead of starting over', async () => {
    const path = join(fixture.dir, 'checkpoints', 'damaged.db');
    mkdirSync(join(fixture.dir, 'checkpoints'), { recursive: true });
    writeFileSync(path, 'this is not a SQLite database, it was damaged by a disk error'.repeat(100));
    const before = readFileSync(path);
    const { args, env } = run('damaged');
    const result = await runCli(args, env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/damaged/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses to resume a rehearsal against another Dynamic API, even with --allow-mapping-change', async () => {
    const rehearsal = run('rehearsed');
    expect((await runCli(rehearsal.args, rehearsal.env)).code).toBe(fixture.cleanExit);
    const sentBefore = (await emulator.stats()).bulkRequests;
    // The same server under another origin stands for production: the job's ledger is the emulator's.
    const production = new URL(emulator.baseUrl);
    production.hostname = production.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const refused = await runCli([...rehearsal.args, '--allow-mapping-change'], { ...rehearsal.env, DYNAMIC_API_URL: production.href });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Dynamic API changed \(http:\/\/[^ ]+ → http:\/\/[^ ]+\)/);
    expect(refused.stderr).not.toMatch(/rerun with --allow-mapping-change/);
    expect((await emulator.stats()).bulkRequests).toBe(sentBefore);

    // Nor can the rehearsal's users be rolled back or reconciled through the other API.
    const held = (await emulator.listUsers(ENVIRONMENT_ID)).length;
    const checkpointDir = ['--checkpoint-dir', join(fixture.dir, 'checkpoints')];
    for (const command of [['rollback', '--job', 'rehearsed', '--yes', ...checkpointDir], ['reconcile', '--mapping', 'mappings/example.ts', '--job', 'rehearsed', '--database-url', fixture.db.url, ...fixture.dirArgs]]) {
      const other = await runCli(command, { ...rehearsal.env, DYNAMIC_API_URL: production.href });
      expect(other.stderr).toMatch(/job rehearsed sent its users to http:\/\/[^ ]+, not http:/);
      expect(other.code).toBe(2);
    }
    expect(await emulator.listUsers(ENVIRONMENT_ID)).toHaveLength(held);
  });

  it('refuses a changed mapping unless --allow-mapping-change, and says what changed', async () => {
    const mapping = join(fixture.dir, 'mapping.json');
    const document = JSON.parse(readFileSync('mappings/example.json', 'utf8')) as { metadata: Record<string, unknown> };
    writeFileSync(mapping, JSON.stringify(document));
    const original = run('changing', mapping);
    expect((await runCli(original.args, original.env)).code).toBe(fixture.cleanExit);

    document.metadata.importedBy = { constant: 'dynamic-migrate' };
    writeFileSync(mapping, JSON.stringify(document));
    const refused = await runCli(original.args, original.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/mapping changed/);
    expect(refused.stderr).toMatch(/--allow-mapping-change/);

    const allowed = run('changing', mapping, '--allow-mapping-change');
    const result = await runCli(allowed.args, allowed.env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect([0, 3]).toContain(result.code);
  });
});
