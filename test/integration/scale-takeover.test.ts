import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landedState } from '../helpers/chaos-landed-state.js';
import { ENVIRONMENT_ID } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { createScaleRig } from '../helpers/scale-rig.js';
import type { ScaleRig, ScaledJobStatus } from '../helpers/scale-rig.js';
import { runCli } from '../helpers/run-cli.js';
import type { CliResult } from '../helpers/run-cli.js';
import { plannedChunks, queuedChunks, stderrLine, workerSeen } from '../helpers/scale-job.js';
import type { WorkerSeen } from '../helpers/scale-job.js';
import { waitUntil } from '../helpers/wait-until.js';

const USERS = 2_000;
/** See scale-out.test.ts: the loader's "minute" is WINDOW_MS, and PER_IP bulk requests fit in one. */
const FACTOR = 20;
const WINDOW_MS = 60_000 / FACTOR;
const PER_IP = 6;
/**
 * 20 bulk requests a chunk (400 rows, 20 users a request): at PER_IP a window, a worker needs
 * about 10 s for one, so the kill below lands well inside a chunk, with requests in flight.
 */
const ROWS_PER_CHUNK = 400;
const BATCH_SIZE = 20;
const KILL_AFTER_BULK_REQUESTS = 4;
/** On every process: a 4 s lease (see takeover-timings.ts); the default, 120 s, would outlast the test. */
const TAKEOVER_AFTER_SECONDS = 8;
const [RUN_ADDRESS, SURVIVOR_ADDRESS, VICTIM_ADDRESS] = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
const JOB = 'takeover';


// Issue 17: a worker SIGKILLed in the middle of a chunk, requests in flight. Its chunk stays
// claimed until its lease runs out; then a live worker takes it over and replays what the dead one
// left in doubt. The end state must be what one quiet single run leaves: nobody twice, nobody missing.
describe('scale-out: a worker killed mid-chunk', () => {
  let fixture: MigrationFixture;
  let state: TestDatabase;
  let rig: ScaleRig;
  const start = (args: string[], env: Record<string, string>) => rig.spawn(args, env);

  beforeAll(async () => {
    rig = await createScaleRig({ users: USERS, seed: 4_242 });
    fixture = rig.fixture;
    state = await createTestDatabase();
  });
  afterAll(async () => {
    await state?.drop();
    await rig?.cleanup();
  });

  it('has its chunk taken over by another worker, every user landing exactly once', async () => {
    const expected = await rig.reference();

    const emulator = await rig.emulator(['--rate-limit', String(PER_IP), '--rate-window-ms', String(WINDOW_MS)]);
    const env = { ...rig.apiEnv(emulator), DYNAMIC_MIGRATE_STATE_URL: state.url, DYNAMIC_MIGRATE_BENCH_CLOCK: `${Date.now()}:${FACTOR}` };
    const common = [
      '--mapping', 'mappings/example.ts', '--job', JOB, '--database-url', fixture.db.url, '--rate-limit', String(PER_IP),
      '--batch-size', String(BATCH_SIZE), '--takeover-after', String(TAKEOVER_AFTER_SECONDS), ...fixture.dirArgs,
    ];
    // The workers first, up and waiting for the job, so each is there to claim a chunk of the first round.
    const survivor = start(['worker', ...common, '--local-address', SURVIVOR_ADDRESS], env);
    const victim = start(['worker', ...common, '--local-address', VICTIM_ADDRESS], env);
    const victimPid = victim.child.pid ?? -1;
    await Promise.all([survivor, victim].map((worker) => stderrLine(worker.child, /waiting for job/)));
    const run = start(['run', ...common, '--rows-per-chunk', String(ROWS_PER_CHUNK), '--local-address', RUN_ADDRESS], env);

    // The victim is killed once it holds a chunk (its row in the workers table says which) and the
    // emulator has answered some of its bulk requests: a chunk genuinely begun, not yet done.
    let held: WorkerSeen | undefined;
    let victimEnded: CliResult | undefined;
    void victim.done.then((result) => (victimEnded = result));
    await waitUntil(async () => {
      if (victimEnded) throw new Error(`the worker to kill ended on its own (exit ${victimEnded.code}): ${victimEnded.stderr}`);
      const sent = (await emulator.stats()).clients[VICTIM_ADDRESS]?.bulkRequests ?? 0;
      held = sent >= KILL_AFTER_BULK_REQUESTS ? await workerSeen(state.url, JOB, victimPid).catch(() => undefined) : undefined;
      return held?.chunk != null;
    }, 60_000, 50);
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    expect(killed.signal).toBe('SIGKILL');
    const victimChunk = held?.chunk ?? -1;
    // Still claimed after the kill: nobody but the dead worker had it, and it had not finished it.
    expect((await queuedChunks(state.url, JOB)).find((chunk) => chunk.chunk === victimChunk)?.state).toBe('active');

    const results = await Promise.all([run.done, survivor.done]);
    for (const result of results) {
      expect(result.stderr, result.stderr).not.toMatch(/unexpected error/);
      expect([0, 3], `${result.stderr}\n${result.stdout}`).toContain(result.code); // 3: the seed's deliberately invalid rows
    }

    // Exactly once, with the right data: the same users, field for field, as the single run.
    expect(await landedState(emulator, ENVIRONMENT_ID)).toEqual(expected);

    // Every chunk done; the dead worker's one by someone else, after being claimed again.
    const chunks = await queuedChunks(state.url, JOB);
    expect(chunks).toHaveLength(await plannedChunks(state.url, JOB));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((chunk) => chunk.state)).toEqual(chunks.map(() => 'completed'));
    expect(chunks.find((chunk) => chunk.chunk === victimChunk)?.retryCount).toBeGreaterThanOrEqual(1);
    const status = JSON.parse((await runCli(['status', '--job', JOB, '--json'], env)).stdout) as ScaledJobStatus;
    expect(status.counts.created).toBe(fixture.expectedValid);
    expect(status.chunks).toMatchObject({ planned: chunks.length, done: chunks.length, running: 0, queued: 0, failed: 0 });
  }, 150_000);
});
