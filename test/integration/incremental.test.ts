import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiUser } from '../../src/emulator/index.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import { waitUntil } from '../helpers/wait-until.js';

type Emulator = Awaited<ReturnType<typeof startEmulatorProcess>>;

// Incremental reruns end to end: real PostgreSQL, the emulator over HTTP, the CLI as a child
// process. Timestamps are set explicitly where the test needs to place rows in a run's window.

const legacyIdOf = (user: ApiUser) => String((user.metadata as Record<string, unknown>).legacyId);


describe('incremental reruns', () => {
  let fixture: MigrationFixture;
  const emulators: Emulator[] = [];
  const emulatorWith = async (args: string[]) => {
    const emulator = await startEmulatorProcess(['--rate-limit', '0', ...args]);
    emulators.push(emulator);
    return emulator;
  };

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 1500, seed: 41 });
  });
  afterAll(async () => {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
    await fixture?.cleanup();
  });

  const run = (job: string, emulator: Emulator, ...extra: string[]) => ({
    args: ['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--rate-limit', '0', ...fixture.dirArgs, ...extra],
    env: { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token },
  });
  const runToEnd = async (job: string, emulator: Emulator, ...extra: string[]) => {
    const { args, env } = run(job, emulator, ...extra);
    const result = await runCli(args, env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    return { result, summary: latestSummary(fixture.dir, job) };
  };
  const status = async (job: string) =>
    JSON.parse((await runCli(['status', '--job', job, '--json', ...fixture.dirArgs.slice(0, 2)])).stdout) as {
      cursor: string;
      job: { phase: string; incrementalSince: string; childWatermarks: Record<string, string> };
    };
  const dbText = async (query: ReturnType<typeof sql<{ t: string }>>) => (await query.execute(fixture.db.admin)).rows[0]?.t as string;
  /** Legacy ids of the users the emulator changed (created or updated) after `since` (emulator clock). */
  const touchedSince = async (emulator: Emulator, since: string) =>
    (await emulator.listUsers(ENVIRONMENT_ID)).filter((user) => String(user.updatedAt) > since).map(legacyIdOf).sort();
  const sorted = (ids: Iterable<string>) => [...ids].sort();

  it('sends exactly the changed users, leaves a late-committing transaction for the next run, then sends none', async () => {
    const emulator = await emulatorWith([]);
    const first = await runToEnd('main', emulator, '--lag', '0');
    expect(first.result.code).toBe(3);
    expect(first.summary).toMatchObject({ phase: 'full', created: fixture.expectedValid, addsUp: true });
    const afterFirst = await status('main');
    expect(afterFirst.job.phase).toBe('incremental');
    const statusText = (await runCli(['status', '--job', 'main', ...fixture.dirArgs.slice(0, 2)])).stdout;
    expect(statusText).toMatch(/phase\s+incremental/);
    expect(statusText).toMatch(/cursor\s+\["/);

    const migrated = (await emulator.listUsers(ENVIRONMENT_ID)).map(legacyIdOf).sort((a, b) => Number(a) - Number(b));
    const updated = migrated.slice(0, 500);
    const walleted = migrated.slice(500, 700);
    const late = migrated.slice(700, 800);
    // Changes stamped just after where incremental reads start, so they fall inside the rerun's window.
    const stamp = await dbText(sql<{ t: string }>`select (${afterFirst.job.incrementalSince}::timestamptz + interval '1 second')::text as t`);
    const admin = fixture.db.admin;
    await sql`update users set job_title = 'Changed ' || id, updated_at = ${stamp}::timestamptz where id = any(${updated}::bigint[])`.execute(admin);
    const inserted = await sql<{ id: string }>`insert into users (email, first_name, last_name, created_at, updated_at)
      select 'newcomer-' || g || '@example.com', 'New', 'Comer', ${stamp}::timestamptz, ${stamp}::timestamptz from generate_series(1, 300) g
      returning id::text as id`.execute(admin);
    await sql`insert into user_wallets (user_id, chain, address, wallet_name, provider, created_at)
      select id, 'ethereum', '0x' || lpad(to_hex(id), 40, 'a'), 'Added later', 'metamask', ${stamp}::timestamptz from unnest(${walleted}::bigint[]) as id`.execute(admin);

    // The rerun runs with a lag of LAG seconds: wait until the stamped changes are older than that.
    const LAG = 6;
    await waitUntil(async () => Number(await dbText(sql<{ t: string }>`select extract(epoch from now() - ${stamp}::timestamptz)::text as t`)) > LAG + 1.5, 20_000);

    // A long transaction changes 100 users (updated_at = its start time) and commits only after
    // the rerun has frozen its upper bound and begun sending.
    const other = new pg.Client({ connectionString: fixture.db.url });
    await other.connect();
    const rerunStartedAt = new Date().toISOString();
    const requestsBefore = (await emulator.stats()).bulkRequests;
    let lateStamp: string;
    try {
      await other.query('begin');
      await other.query(`update users set job_title = 'Late ' || id, updated_at = now() where id = any($1::bigint[])`, [late]);
      lateStamp = ((await other.query('select now()::text as t')).rows[0] as { t: string }).t;
      const { args, env } = run('main', emulator, '--lag', String(LAG));
      const rerun = spawnCli(args, env);
      await waitUntil(async () => (await emulator.stats()).bulkRequests > requestsBefore, 30_000);
      await other.query('commit');
      const result = await rerun.done;
      expect(result.stderr).not.toMatch(/unexpected error/);
      expect(result.code).toBe(0);
    } finally {
      await other.end();
    }
    const second = latestSummary(fixture.dir, 'main');
    expect(second).toMatchObject({ phase: 'incremental', created: 300, updated: 700, unchanged: 0, rejected: 0, failed: 0, inDoubt: 0, addsUp: true });
    expect(String(second.upperBound) < lateStamp).toBe(true);
    const expectedTouched = sorted([...updated, ...walleted, ...inserted.rows.map((row) => row.id)]);
    expect(await touchedSince(emulator, rerunStartedAt)).toEqual(expectedTouched);
    expect((await emulator.listUsers(ENVIRONMENT_ID)).length).toBe(fixture.expectedValid + 300);

    // The late transaction's rows were committed after the rerun froze its bound: the next run sends them.
    const beforeThird = new Date().toISOString();
    const third = await runToEnd('main', emulator, '--lag', '0');
    expect(third.result.code).toBe(0);
    expect(third.summary).toMatchObject({ created: 0, updated: 100, unchanged: 0, addsUp: true });
    expect(await touchedSince(emulator, beforeThird)).toEqual(sorted(late));
    const lateUser = (await emulator.listUsers(ENVIRONMENT_ID)).find((user) => legacyIdOf(user) === late[0]);
    expect(lateUser?.jobTitle).toBe(`Late ${late[0]}`);

    // And the one after that has nothing to send.
    const requests = (await emulator.stats()).bulkRequests;
    const fourth = await runToEnd('main', emulator, '--lag', '0');
    expect(fourth.result.code).toBe(0);
    expect(fourth.summary).toMatchObject({ extracted: 0, created: 0, updated: 0, addsUp: true });
    expect((await emulator.stats()).bulkRequests).toBe(requests);
  });

  it('picks up rows changed during a long first run; skips unchanged users unless --resend-unchanged', async () => {
    // Slow answers and small batches make the first run long enough to change rows behind it.
    const emulator = await emulatorWith(['--latency-rate', '1', '--latency-ms', '30']);
    const { args, env } = run('long', emulator, '--lag', '0', '--batch-size', '10', '--concurrency', '2');
    const firstRun = spawnCli(args, env);
    await waitUntil(async () => (await emulator.stats()).usersStored >= 300, 60_000);
    // The lowest ids: read long ago by now (300 users are stored, in key order).
    const lowest = await sql<{ id: string }>`select id::text as id from users where deleted_at is null order by users.id limit 80`.execute(fixture.db.admin);
    const stored = new Set((await emulator.listUsers(ENVIRONMENT_ID)).map(legacyIdOf));
    const behind = lowest.rows.map((row) => row.id).filter((id) => stored.has(id));
    const changed = behind.slice(0, 40);
    expect(changed).toHaveLength(40);
    await sql`update users set job_title = 'During ' || id, updated_at = now() where id = any(${changed}::bigint[])`.execute(fixture.db.admin);
    const first = await firstRun.done;
    expect(first.code).toBe(3);
    expect(latestSummary(fixture.dir, 'long')).toMatchObject({ phase: 'full', addsUp: true });

    const beforeSecond = new Date().toISOString();
    const second = await runToEnd('long', emulator, '--lag', '0');
    expect(second.result.code).toBe(0);
    expect(second.summary).toMatchObject({ created: 0, updated: 40, addsUp: true });
    expect(await touchedSince(emulator, beforeSecond)).toEqual(sorted(changed));

    // Re-stamped but mapped to the same payload: read, counted unchanged, not sent.
    const restamped = behind.slice(0, 30);
    await sql`update users set updated_at = now() where id = any(${restamped}::bigint[])`.execute(fixture.db.admin);
    let requests = (await emulator.stats()).bulkRequests;
    const third = await runToEnd('long', emulator, '--lag', '0');
    expect(third.summary).toMatchObject({ extracted: 30, unchanged: 30, updated: 0, created: 0, addsUp: true });
    expect(third.result.stdout).toMatch(/unchanged, not sent\s+30/);
    expect((await emulator.stats()).bulkRequests).toBe(requests);

    // --resend-unchanged sends them anyway, with upsert.
    await sql`update users set updated_at = now() where id = any(${restamped.slice(0, 20)}::bigint[])`.execute(fixture.db.admin);
    requests = (await emulator.stats()).bulkRequests;
    const beforeFourth = new Date().toISOString();
    const fourth = await runToEnd('long', emulator, '--lag', '0', '--resend-unchanged');
    expect(fourth.summary).toMatchObject({ extracted: 20, unchanged: 0, updated: 20, addsUp: true });
    expect((await emulator.stats()).bulkRequests).toBeGreaterThan(requests);
    expect(await touchedSince(emulator, beforeFourth)).toEqual(sorted(restamped.slice(0, 20)));
  });
});
