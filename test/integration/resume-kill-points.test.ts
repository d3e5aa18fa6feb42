import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

/** The instants of a resume at which a kill must lose nothing (see runPasses and runMigration). */
const KILL_POINTS = ['resume:discarded', 'resume:since-recorded', 'resume:counted', 'in_doubt:answered', 'full:answered'];

interface Status {
  counts: Record<string, number>;
  batches: { planned: number; sent: number };
  inDoubt: number;
}

// A resumed run is killed (SIGKILL, by itself: DYNAMIC_MIGRATE_TEST_KILL_AT) at each named instant
// of its start and of its first answers, after a first run left batches in doubt whose users the
// API had in part stored. Reruns must end with every user exactly once and every one `created`:
// an in-doubt user treated as new would come back "already exists" and end as someone else's.
describe('a kill at each instant of a resume', () => {
  let fixture: MigrationFixture;
  const emulators: EmulatorProcess[] = [];

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 400, seed: 61 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
    await fixture?.cleanup();
  });

  it.each(KILL_POINTS)('killed at %s, then rerun: no duplicate, none lost, all created by the job', async (point) => {
    const job = `kill-${point.replace(/[^a-z]/g, '-')}`;
    // Slow answers, so the first run's kill leaves requests on the wire that the API completes.
    const emulator = await startEmulatorProcess(['--rate-limit', '0', '--latency-rate', '1', '--latency-ms', '400']);
    emulators.push(emulator);
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const args = ['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--batch-size', '10', '--lookup-rate-limit', '0', ...fixture.dirArgs];
    const status = async () => JSON.parse((await runCli(['status', '--job', job, '--json', '--checkpoint-dir', join(fixture.dir, 'checkpoints')])).stdout) as Status;

    // First run: killed with four batches on the wire; their users land a moment later.
    const first = spawnCli(args, env);
    while ((await emulator.stats()).bulkRequests < 8) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    await first.done;
    await new Promise((resolve) => setTimeout(resolve, 600));
    const left = await status();
    expect(left.batches.planned + left.batches.sent).toBeGreaterThan(0);

    // The resumed run kills itself at the instant under test.
    const killed = await runCli(args, { ...env, DYNAMIC_MIGRATE_TEST_KILL_AT: point });
    expect(killed.signal, `${point}: ${killed.stderr}`).toBe('SIGKILL');
    const between = await status();
    expect(between.batches.planned + between.batches.sent + between.inDoubt).toBeGreaterThan(0);

    let code: number | null = null;
    for (let attempt = 0; attempt < 3 && code !== 3; attempt++) code = (await runCli(args, env)).code;
    expect(code).toBe(3); // the seed's deliberately invalid rows

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    const legacyIds = users.map((user) => String((user.metadata as Record<string, unknown>).legacyId));
    expect(new Set(legacyIds).size).toBe(legacyIds.length);
    expect(legacyIds).toHaveLength(fixture.expectedValid);
    const final = await status();
    expect(final.inDoubt + final.batches.planned + final.batches.sent).toBe(0);
    expect(final.counts).toMatchObject({ created: fixture.expectedValid, updated: 0, already_exists: 0, conflict: 0, failed: 0 });
    expect((await emulator.stats()).upsertRequests).toBe(0);
  }, 120_000);
});
