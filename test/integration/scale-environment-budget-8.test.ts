import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landedState } from '../helpers/chaos-landed-state.js';
import { ENVIRONMENT_ID } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { createScaleRig } from '../helpers/scale-rig.js';
import type { ScaleRig, ScaledJobStatus } from '../helpers/scale-rig.js';
import { runCli } from '../helpers/run-cli.js';
import { plannedChunks, queuedChunks, stderrLine } from '../helpers/scale-job.js';

const USERS = 2_000;
/**
 * The loader's clock runs FACTOR times faster: its "minute", and the emulator's windows, are WINDOW_MS.
 * Half as fast as scale-out.test.ts's 20: the budget grants in windows of a fraction of that
 * minute (here 273 ms, see budgetWindows), and a grant must reach the emulator within about one of
 * them to be counted where the budget expects it. Eight CLIs, the emulator and PostgreSQL on two
 * busy cores can hold a request back longer than the 137 ms windows of FACTOR 20 (an occasional
 * 429 from the environment then, which is this test's own clock, not the budget, at fault);
 * Dynamic's windows are a whole second.
 */
const FACTOR = 10;
const WINDOW_MS = 60_000 / FACTOR;
const PER_IP = 6;
/** The environment's limit, every IP together: a half of what eight addresses could send at PER_IP each. */
const ENVIRONMENT_LIMIT = 24;
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'];
/**
 * 20 users a request and 100 rows a chunk: about 100 bulk requests in 20 chunks, so all eight
 * processes have chunks while the environment limit holds them to ENVIRONMENT_LIMIT a window
 * together, for four windows or so.
 */
const BATCH_SIZE = 20;
const ROWS_PER_CHUNK = 100;
const JOB = 'budget8';


// Issue 17: eight processes, each within its own per-IP limit, together want twice what the
// environment allows. The budget they share through the state database must keep them under the
// environment's limit: no 429 from it, ever, and still every user lands exactly once.
describe('scale-out: eight processes under an environment budget below 8 × the per-IP limit', () => {
  let fixture: MigrationFixture;
  let state: TestDatabase;
  let rig: ScaleRig;
  const start = (args: string[], env: Record<string, string>) => rig.spawn(args, env);

  beforeAll(async () => {
    rig = await createScaleRig({ users: USERS, seed: 8_888 });
    fixture = rig.fixture;
    state = await createTestDatabase();
  });
  afterAll(async () => {
    await state?.drop();
    await rig?.cleanup();
  });

  it('never exceeds the environment limit, and lands every user exactly once', async () => {
    const expected = await rig.reference();

    const emulator = await rig.emulator([
      '--rate-limit', String(PER_IP), '--environment-rate-limit', String(ENVIRONMENT_LIMIT), '--rate-window-ms', String(WINDOW_MS),
    ]);
    const env = { ...rig.apiEnv(emulator), DYNAMIC_MIGRATE_STATE_URL: state.url, DYNAMIC_MIGRATE_BENCH_CLOCK: `${Date.now()}:${FACTOR}` };
    const common = [
      '--mapping', 'mappings/example.ts', '--job', JOB, '--database-url', fixture.db.url, '--batch-size', String(BATCH_SIZE),
      '--rate-limit', String(PER_IP), '--environment-rate-limit', String(ENVIRONMENT_LIMIT), ...fixture.dirArgs,
    ];
    const [first, ...others] = ADDRESSES as [string, ...string[]];
    // The workers first, up and waiting for the job: on two cores, eight starting at once take a while.
    const workers = others.map((address) => start(['worker', ...common, '--local-address', address], env));
    await Promise.all(workers.map((worker) => stderrLine(worker.child, /waiting for job/)));
    const processes = [start(['run', ...common, '--rows-per-chunk', String(ROWS_PER_CHUNK), '--local-address', first], env), ...workers];
    const results = await Promise.all(processes.map((process) => process.done));
    for (const result of results) {
      expect(result.stderr, result.stderr).not.toMatch(/unexpected error/);
      expect([0, 3], `${result.stderr}\n${result.stdout}`).toContain(result.code); // 3: the seed's deliberately invalid rows
    }

    // No 429 from the environment's limit, for anyone; nor from the per-IP one.
    const stats = await emulator.stats();
    expect(stats.environmentRateLimited).toBe(0);
    for (const address of ADDRESSES) {
      const seen = stats.clients[address];
      expect(seen, `requests from ${address}`).toBeDefined();
      expect(seen?.environmentRateLimited, address).toBe(0);
      expect(seen?.ipRateLimited, address).toBe(0);
    }
    // Eight clients really sent: their demand (8 × PER_IP a window) was twice what the environment allows.
    expect(Object.entries(stats.clients).filter(([, seen]) => seen.bulkRequests > 0).map(([address]) => address).sort()).toEqual(ADDRESSES);

    // The listing below is requests to the environment too: a window later, the tool's last ones have left it.
    await sleep(WINDOW_MS);
    expect(await landedState(emulator, ENVIRONMENT_ID)).toEqual(expected);
    const chunks = await queuedChunks(state.url, JOB);
    expect(chunks).toHaveLength(await plannedChunks(state.url, JOB));
    expect(chunks.map((chunk) => chunk.state)).toEqual(chunks.map(() => 'completed'));
    const status = JSON.parse((await runCli(['status', '--job', JOB, '--json'], env)).stdout) as ScaledJobStatus;
    expect(status.counts.created).toBe(fixture.expectedValid);
    expect(status.chunks).toMatchObject({ planned: chunks.length, done: chunks.length, running: 0, queued: 0, failed: 0 });
  }, 150_000);
});
