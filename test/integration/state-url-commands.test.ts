import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReconcileReport } from '../../src/reconcile/index.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/run-cli.js';
import type { CliResult } from '../helpers/run-cli.js';

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const QUEUE_SCHEMA = 'dynamic_migrate_queue';

// Issue 17, part 1: reconcile, rollback and reset of a job kept in a state database (`--state-url`)
// rather than a checkpoint file, as a user runs them after `run --state-url`.
describe('reconcile, rollback and reset with --state-url', () => {
  const job = 'shared';
  let fixture: MigrationFixture;
  let state: TestDatabase;
  let stateUrl: string;
  let password: string;
  let role: string;
  let emulator: EmulatorProcess;
  let fileEmulator: EmulatorProcess;
  let preexisting: Set<string>;
  let createdCount = 0;
  // Every output of every command: none may show the state URL's password.
  const outputs: CliResult[] = [];

  const apiEnv = (target: EmulatorProcess) => ({ DYNAMIC_API_URL: target.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: target.token });
  const stateEnv = () => ({ ...apiEnv(emulator), DYNAMIC_MIGRATE_STATE_URL: stateUrl });
  const cli = async (args: string[], env: Record<string, string>) => {
    const result = await runCli(args, env);
    outputs.push(result);
    return result;
  };
  // --checkpoint-dir points at an empty folder: every command must read the state database instead.
  const jobArgs = () => ['--job', job, '--checkpoint-dir', join(fixture.dir, 'checkpoints')];
  const runArgs = () => ['run', '--mapping', 'mappings/example.ts', ...jobArgs(), '--database-url', fixture.db.url, '--rate-limit', '0', '--rows-per-chunk', '50', '--reports-dir', join(fixture.dir, 'reports')];
  const userIds = async () => new Set((await emulator.listUsers(ENVIRONMENT_ID)).map((user) => String(user.id)));
  const status = async () => {
    const result = await cli(['status', ...jobArgs(), '--json'], stateEnv());
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { counts: Record<string, number>; chunks?: { planned: number; done: number } };
  };
  /** A connection of the test's own to the state database, as another process of the job would hold one. */
  const withStateClient = async <T>(body: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: state.url });
    await client.connect();
    try {
      return await body(client);
    } finally {
      await client.end();
    }
  };
  const holdingRunLock = <T>(body: () => Promise<T>) => withStateClient(async (client) => {
    await client.query('select pg_advisory_lock(hashtext($1))', [`dynamic-migrate:run:dm_${job}`]);
    try {
      return await body();
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [`dynamic-migrate:run:dm_${job}`]);
    }
  });
  /** Runs `body` while a worker of the job elsewhere looks live (its row seen just now, not stopped). */
  const withLiveWorker = async <T>(body: () => Promise<T>): Promise<T> => {
    await withStateClient((client) => client.query(`insert into dm_${job}.workers (id, host, pid) values ('elsewhere:4242:test', 'elsewhere', 4242)`));
    try {
      return await body();
    } finally {
      // The schema is gone if the command wrongly went ahead: the assertions then say so.
      await withStateClient((client) => client.query(`delete from dm_${job}.workers where id = 'elsewhere:4242:test'`)).catch(() => undefined);
    }
  };
  const schemaExists = () => withStateClient(async (client) => (await client.query('select 1 from information_schema.schemata where schema_name = $1', [`dm_${job}`])).rowCount === 1);
  const queuedChunks = () => withStateClient(async (client) => {
    const jobs = await client.query<{ count: number }>(`select count(*)::int as count from ${QUEUE_SCHEMA}.job where name = $1`, [`chunks:${job}`]);
    const queues = await client.query<{ count: number }>(`select count(*)::int as count from ${QUEUE_SCHEMA}.queue where name = $1`, [`chunks:${job}`]);
    return { jobs: jobs.rows[0]?.count, queues: queues.rows[0]?.count };
  });
  /** Users someone else put there before the job: three the source also holds (conflicts), one it does not. */
  const seedOthers = async (target: EmulatorProcess, emails: string[]) => {
    await target.createUsers(ENVIRONMENT_ID, [...emails, 'not-in-the-source@example.org'].map((email) => ({ email })));
  };

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 200, seed: 29 });
    state = await createTestDatabase();
    // The test server's user has no password (trust): the state database gets an owner that has one.
    role = `dm_state_${randomBytes(4).toString('hex')}`;
    password = `pw-${randomBytes(12).toString('hex')}`;
    await withStateClient(async (client) => {
      await client.query(`create role ${role} login password '${password}'`);
      await client.query(`alter database ${new URL(state.url).pathname.slice(1)} owner to ${role}`);
    });
    const url = new URL(state.url);
    url.username = role;
    url.password = password;
    stateUrl = url.toString();

    emulator = await startEmulatorProcess(['--rate-limit', '0']);
    fileEmulator = await startEmulatorProcess(['--rate-limit', '0']);
    const rows = await fixture.db.admin.selectFrom('users').select(['email']).where('deleted_at', 'is', null).orderBy('id').execute();
    const emails = rows.map((row) => String(row.email ?? '').trim().toLowerCase()).filter((email) => EMAIL.test(email)).slice(0, 3);
    await seedOthers(emulator, emails);
    await seedOthers(fileEmulator, emails);
    preexisting = await userIds();
    expect(preexisting.size).toBe(4);

    const run = await cli(runArgs(), stateEnv());
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code, run.stderr).toBe(3); // 3: the conflicts with the users above (and the seed's invalid rows)
    const { counts, chunks } = await status();
    expect(chunks?.planned).toBe(4);
    expect(chunks?.done).toBe(4);
    expect(counts.conflict).toBeGreaterThanOrEqual(1);
    createdCount = counts.created ?? 0;
    expect(createdCount).toBeGreaterThan(100);
    expect((await userIds()).size).toBe(preexisting.size + createdCount);
  }, 120_000);
  afterAll(async () => {
    await emulator?.stop();
    await fileEmulator?.stop();
    await state?.drop();
    if (role) {
      const server = new pg.Client({ connectionString: inject('databaseUrl') });
      await server.connect();
      await server.query(`drop role if exists ${role}`).finally(() => server.end());
    }
    await fixture?.cleanup();
  });

  it('reconcile --state-url reports what it reports for the same job in a file, and reads the shared ledger', async () => {
    // The same job run into a second emulator, checkpointed in a file.
    const fileJob = ['--mapping', 'mappings/example.ts', '--job', 'filed', '--database-url', fixture.db.url, '--checkpoint-dir', join(fixture.dir, 'checkpoints')];
    const fileRun = await cli(['run', ...fileJob, '--rate-limit', '0', '--reports-dir', join(fixture.dir, 'reports')], apiEnv(fileEmulator));
    expect(fileRun.code, fileRun.stderr).toBe(3);
    const fromFile = await cli(['reconcile', ...fileJob, '--json'], apiEnv(fileEmulator));
    expect(fromFile.stderr).toBe('');
    const reconcileArgs = ['reconcile', '--mapping', 'mappings/example.ts', ...jobArgs(), '--database-url', fixture.db.url];
    const shared = await cli([...reconcileArgs, '--json'], stateEnv());
    expect(shared.stderr).toBe('');
    expect(shared.code, shared.stderr).toBe(fromFile.code);
    expect(shared.code).toBe(3); // the conflicts
    // Dynamic's user ids differ between the two emulators; everything else must not.
    const normalized = (stdout: string) => JSON.parse(stdout.replace(UUID, 'ID').replaceAll('"filed"', `"${job}"`)) as ReconcileReport;
    const report = normalized(shared.stdout);
    expect(report).toEqual(normalized(fromFile.stdout));
    expect(report.warnings).toEqual([]);
    expect(report.counts).toMatchObject({ ledgerMigrated: createdCount, agreeing: createdCount });
    expect(report.conflicts.length).toBeGreaterThanOrEqual(1);
    expect(report.missing).toEqual([]);

    // A user of the job deleted in Dynamic: missing, by the shared ledger's record of it.
    const [gone] = await emulator.listUsers(ENVIRONMENT_ID).then((users) => users.filter((user) => !preexisting.has(String(user.id))));
    const deleted = await fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/${gone?.id ?? ''}`, { method: 'DELETE', headers: { authorization: `Bearer ${emulator.token}` } });
    expect(deleted.status).toBe(200);
    const drift = await cli(reconcileArgs, stateEnv());
    expect(drift.code).toBe(3);
    const legacyId = String((gone?.metadata as Record<string, unknown> | undefined)?.legacyId);
    expect(drift.stdout).toMatch(/^missing: 1 /m);
    expect(drift.stdout).toContain(`  ${legacyId}  ledger: created`);
    expect(drift.stdout).toMatch(/^ledgerNotInTarget: 1 /m);
    expect(drift.stdout).toContain(`  ${legacyId}  ledger user ${gone?.id ?? ''}`);
    expect(drift.stdout).toMatch(/^differences found \(exit 3\)$/m);
    const unknown = await cli(['reconcile', '--mapping', 'mappings/example.ts', '--job', 'never-ran', '--database-url', fixture.db.url], stateEnv());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no checkpoint for job never-ran in 127\.0\.0\.1:\d+\/test_/);
  }, 240_000);

  it('rollback --state-url --yes deletes exactly the users the job created, under its run lock', async () => {
    const before = await userIds();
    expect([...preexisting].filter((id) => !before.has(id))).toEqual([]);
    expect(before.size).toBeGreaterThan(preexisting.size + createdCount - 2); // one may be gone (above)

    // Another process holds the job's run lock: refused, nothing deleted.
    const locked = await holdingRunLock(() => cli(['rollback', ...jobArgs(), '--yes'], stateEnv()));
    expect(locked.code).toBe(2);
    expect(locked.stderr).toMatch(/job "shared" is being run, rolled back or reset by another process \(state database 127\.0\.0\.1:\d+\/test_\w+\)/);
    // A live worker of the job (one that holds no run lock while it works its chunks): refused too.
    const working = await withLiveWorker(() => cli(['rollback', ...jobArgs(), '--yes'], stateEnv()));
    expect(working.code).toBe(2);
    expect(working.stderr).toMatch(/job "shared" has 1 live worker\(s\) \(elsewhere pid 4242\)/);
    expect(await userIds()).toEqual(before);

    const rollback = await cli(['rollback', ...jobArgs(), '--yes'], stateEnv());
    expect(rollback.stderr).not.toMatch(/unexpected error|warning/);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain(`will delete   ${createdCount} user(s)`);
    // Exactly the job's: the users someone else created stay, and nothing else is left.
    expect(await userIds()).toEqual(preexisting);
    const { counts } = await status();
    expect(counts).toMatchObject({ created: 0, rolled_back: createdCount });

    // A second rollback while a run lock is held elsewhere: refused.
    const second = await holdingRunLock(() => cli(['rollback', ...jobArgs(), '--yes'], stateEnv()));
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/is being run, rolled back or reset by another process/);
    const again = await cli(['rollback', ...jobArgs(), '--yes'], stateEnv());
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to delete.');
  });

  it('reset --state-url --yes drops the job\'s schema and its queued chunks; a new run starts from scratch', async () => {
    expect(await schemaExists()).toBe(true);
    expect(await queuedChunks()).toEqual({ jobs: 4, queues: 1 });

    const unconfirmed = await cli(['reset', ...jobArgs()], stateEnv());
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/pass --yes/);
    const locked = await holdingRunLock(() => cli(['reset', ...jobArgs(), '--yes', '--state-url', stateUrl], apiEnv(emulator)));
    expect(locked.code).toBe(2);
    expect(locked.stderr).toMatch(/is being run, rolled back or reset by another process/);
    const working = await withLiveWorker(() => cli(['reset', ...jobArgs(), '--yes'], stateEnv()));
    expect(working.code).toBe(2);
    expect(working.stderr).toMatch(/job "shared" has 1 live worker\(s\) \(elsewhere pid 4242\): stop them before resetting it/);
    expect(await schemaExists()).toBe(true);
    expect(await queuedChunks()).toEqual({ jobs: 4, queues: 1 });

    const reset = await cli(['reset', ...jobArgs(), '--yes'], stateEnv());
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^job shared reset: deleted from 127\.0\.0\.1:\d+\/test_\w+ \(schema dm_shared\)$/m);
    expect(await schemaExists()).toBe(false);
    expect(await queuedChunks()).toEqual({ jobs: 0, queues: 0 });

    const gone = await cli(['status', ...jobArgs()], stateEnv());
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no checkpoint for job shared in 127\.0\.0\.1:\d+\/test_\w+/);
    // Checked before it asks: without --yes the answer is the same.
    const twice = await cli(['reset', ...jobArgs()], stateEnv());
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/no job "shared" in 127\.0\.0\.1:\d+\/test_\w+ \(no schema dm_shared\)/);

    // From scratch: planned anew, and every user the rollback deleted created again.
    const rerun = await cli(runArgs(), stateEnv());
    expect(rerun.stderr).not.toMatch(/unexpected error/);
    expect(rerun.code, rerun.stderr).toBe(3);
    expect(rerun.stderr).toMatch(/planned job "shared": 4 chunk\(s\)/);
    const { counts, chunks } = await status();
    expect(counts.created).toBe(createdCount);
    expect(counts.rolled_back ?? 0).toBe(0);
    expect(chunks).toMatchObject({ planned: 4, done: 4 });
    expect((await userIds()).size).toBe(preexisting.size + createdCount);
  });

  it('never shows the state URL or its password', () => {
    expect(outputs.length).toBeGreaterThan(5);
    for (const { stdout, stderr } of outputs) {
      for (const text of [stdout, stderr]) {
        expect(text).not.toContain(password);
        expect(text).not.toContain(stateUrl);
      }
    }
  });
});
