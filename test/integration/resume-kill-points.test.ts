import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

/** The instants of a resume at which a kill must lose nothing (see runPasses and runMigration), in the order a run meets them. */
const KILL_POINTS = ['resume:discarded', 'resume:since-recorded', 'resume:counted', 'in_doubt:answered', 'full:answered'];

interface Status {
  counts: Record<string, number>;
  batches: { planned: number; sent: number };
  inDoubt: number;
}

// A first run is killed with batches on the wire whose users the API then stores in part. Each
// following run kills itself (SIGKILL, DYNAMIC_MIGRATE_TEST_KILL_AT) at the next named instant of
// its resume: after moving the unsettled batches into doubt, after recording where changes start,
// after counting the source, after an in-doubt replay's answer came (before its settle), after a
// first answer of the full pass. Then reruns must end with every user exactly once and every one
// `created`: an in-doubt user treated as new would come back "already exists" and end as someone else's.
describe('a kill at each instant of a resume', () => {
  let fixture: MigrationFixture;
  let emulator: EmulatorProcess;

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 400, seed: 61 });
    // Slow answers, so a kill leaves requests on the wire that the API completes after it.
    emulator = await startEmulatorProcess(['--rate-limit', '0', '--latency-rate', '1', '--latency-ms', '300']);
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('killed at each of them in turn, then rerun: no duplicate, none lost, all created by the job, no upsert sent', async () => {
    const job = 'kill-points';
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const args = ['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--batch-size', '10', '--lookup-rate-limit', '0', ...fixture.dirArgs];
    const status = async () => JSON.parse((await runCli(['status', '--job', job, '--json', '--checkpoint-dir', join(fixture.dir, 'checkpoints')])).stdout) as Status;
    const unknown = (s: Status) => s.batches.planned + s.batches.sent + s.inDoubt;

    const first = spawnCli(args, env);
    while ((await emulator.stats()).bulkRequests < 8) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    await first.done;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the requests on the wire land meanwhile
    expect(unknown(await status())).toBeGreaterThan(0);

    for (const point of KILL_POINTS) {
      const killed = await runCli(args, { ...env, DYNAMIC_MIGRATE_TEST_KILL_AT: point });
      expect(killed.signal, `${point}: ${killed.stderr}`).toBe('SIGKILL');
      // Before the replay has settled anything, every user in doubt is still known to be in doubt.
      if (point.startsWith('resume:') || point === 'in_doubt:answered') expect(unknown(await status()), point).toBeGreaterThan(0);
    }

    let code: number | null = null;
    for (let attempt = 0; attempt < 3 && code !== 3; attempt++) code = (await runCli(args, env)).code;
    expect(code).toBe(3); // the seed's deliberately invalid rows

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    const legacyIds = users.map((user) => String((user.metadata as Record<string, unknown>).legacyId));
    expect(new Set(legacyIds).size).toBe(legacyIds.length);
    expect(legacyIds).toHaveLength(fixture.expectedValid);
    const final = await status();
    expect(unknown(final)).toBe(0);
    expect(final.counts).toMatchObject({ created: fixture.expectedValid, updated: 0, already_exists: 0, conflict: 0, failed: 0 });
    expect((await emulator.stats()).upsertRequests).toBe(0);
  }, 180_000);
});
