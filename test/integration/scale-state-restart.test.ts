import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../src/shared/start-postgres.js';
import type { TemporaryPostgres } from '../../src/shared/start-postgres.js';
import { landedState } from '../helpers/chaos-landed-state.js';
import { ENVIRONMENT_ID } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { withDatabase } from '../helpers/postgres.js';
import { createScaleRig } from '../helpers/scale-rig.js';
import type { ScaleRig, ScaledJobStatus } from '../helpers/scale-rig.js';
import { runCli } from '../helpers/run-cli.js';
import type { CliResult } from '../helpers/run-cli.js';
import { plannedChunks, queuedChunks, withStateClient } from '../helpers/scale-job.js';
import { waitUntil } from '../helpers/wait-until.js';

const USERS = 2_000;
/** See scale-out.test.ts: the loader's "minute" is WINDOW_MS, and PER_IP bulk requests fit in one. */
const FACTOR = 20;
const WINDOW_MS = 60_000 / FACTOR;
const PER_IP = 6;
/** 10 bulk requests a chunk, about 5 s of one worker's budget: ten chunks, a few rounds of three workers. */
const ROWS_PER_CHUNK = 200;
const BATCH_SIZE = 20;
const RESTART_AFTER_CHUNKS = 2;
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const JOB = 'restart';


// Issue 17: the state database (a server of this test's own, so the shared test server is never
// touched) restarted in fast mode while run and two workers are mid-job: every session they hold
// is ended and, for a moment, nothing accepts connections. They must reconnect and finish it,
// nobody landing twice or missing.
describe('scale-out: the state database restarted mid-run', () => {
  let fixture: MigrationFixture;
  let server: TemporaryPostgres;
  let stateUrl: string;
  let rig: ScaleRig;
  const start = (args: string[], env: Record<string, string>) => rig.spawn(args, env);

  beforeAll(async () => {
    rig = await createScaleRig({ users: USERS, seed: 5_151 });
    fixture = rig.fixture;
    server = await startPostgres();
    await withStateClient(server.url, (client) => client.query('create database migration_state'));
    stateUrl = withDatabase(server.url, 'migration_state');
  });
  afterAll(async () => {
    await server?.stop();
    await rig?.cleanup();
  });

  it('has run and workers reconnect and finish, every user landing exactly once', async () => {
    const expected = await rig.reference();

    const emulator = await rig.emulator(['--rate-limit', String(PER_IP), '--rate-window-ms', String(WINDOW_MS)]);
    const env = { ...rig.apiEnv(emulator), DYNAMIC_MIGRATE_STATE_URL: stateUrl, DYNAMIC_MIGRATE_BENCH_CLOCK: `${Date.now()}:${FACTOR}` };
    const common = [
      '--mapping', 'mappings/example.ts', '--job', JOB, '--database-url', fixture.db.url, '--rate-limit', String(PER_IP),
      // A chunk the restart takes from its worker, if any, is taken over within the test (a 12 s
      // lease: far longer than the restart, and the default 120 s would outlast the test).
      '--batch-size', String(BATCH_SIZE), '--takeover-after', '20', ...fixture.dirArgs,
    ];
    const [first, ...others] = ADDRESSES as [string, ...string[]];
    const processes = [
      start(['run', ...common, '--rows-per-chunk', String(ROWS_PER_CHUNK), '--local-address', first], env),
      ...others.map((address) => start(['worker', ...common, '--local-address', address], env)),
    ];
    const ended: CliResult[] = [];
    for (const process of processes) void process.done.then((result) => ended.push(result));

    // Mid-run: some chunks done, most still to do, and every process still at it.
    await waitUntil(async () => {
      if (ended.length > 0) throw new Error(`a process ended before the restart (exit ${ended[0]?.code}): ${ended[0]?.stderr}`);
      const chunks = await queuedChunks(stateUrl, JOB).catch(() => []);
      return chunks.filter((chunk) => chunk.state === 'completed').length >= RESTART_AFTER_CHUNKS;
    }, 60_000, 100);
    const startedBefore = await postmasterStart(stateUrl);
    const planned = await plannedChunks(stateUrl, JOB);
    await server.restart('fast');
    const restartedAt = new Date();
    expect(await postmasterStart(stateUrl)).not.toBe(startedBefore);
    const doneBefore = (await queuedChunks(stateUrl, JOB)).filter((chunk) => chunk.state === 'completed' && chunk.completedOn && chunk.completedOn < restartedAt);
    expect(doneBefore.length).toBeLessThan(planned - ADDRESSES.length);

    const results = await Promise.all(processes.map((process) => process.done));
    for (const result of results) {
      expect(result.stderr, result.stderr).not.toMatch(/unexpected error/);
      expect([0, 3], `${result.stderr}\n${result.stdout}`).toContain(result.code); // 3: the seed's deliberately invalid rows
    }

    // Exactly once, with the right data: the same users, field for field, as the single run.
    expect(await landedState(emulator, ENVIRONMENT_ID)).toEqual(expected);

    // Every chunk done, most of them after the restart.
    const chunks = await queuedChunks(stateUrl, JOB);
    expect(chunks).toHaveLength(planned);
    expect(chunks.map((chunk) => chunk.state)).toEqual(chunks.map(() => 'completed'));
    expect(chunks.filter((chunk) => chunk.completedOn && chunk.completedOn > restartedAt).length).toBeGreaterThan(ADDRESSES.length);
    const status = JSON.parse((await runCli(['status', '--job', JOB, '--json'], env)).stdout) as ScaledJobStatus;
    expect(status.counts.created).toBe(fixture.expectedValid);
    expect(status.chunks).toMatchObject({ planned, done: planned, running: 0, queued: 0, failed: 0 });
  }, 150_000);
});

/** When the server last started: a restart changes it. */
async function postmasterStart(url: string): Promise<string> {
  return withStateClient(url, async (client) => {
    const { rows } = await client.query<{ started: string }>('select pg_postmaster_start_time()::text as started');
    return rows[0]?.started ?? '';
  });
}
