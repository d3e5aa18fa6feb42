import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { spawnCli } from '../helpers/run-cli.js';

const LIMIT = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A run killed right after it spent the minute's budget, restarted seconds later: the server's
// window still holds the first run's requests. The restarted run must know that from its
// checkpoint and wait, instead of meeting its own past as 429s.
describe('a restart while the server\'s rate-limit window is still full', () => {
  let fixture: MigrationFixture;
  const emulators: EmulatorProcess[] = [];

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 200, seed: 71 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
    await fixture?.cleanup();
  });

  /** Runs the job until it has sent the minute's `LIMIT` requests and waits for slots, then kills it; restarts it and watches it 3 s. */
  async function killAndRestart(job: string, beforeRestart: () => void = () => {}) {
    const emulator = await startEmulatorProcess(['--rate-limit', String(LIMIT), '--no-rate-limit-headers']);
    emulators.push(emulator);
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const args = ['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--rate-limit', String(LIMIT), '--batch-size', '2', ...fixture.dirArgs];
    const first = spawnCli(args, env);
    while ((await emulator.stats()).bulkRequests < LIMIT) await sleep(20);
    await sleep(500); // every answer in: the run now waits a minute for its next slot
    first.child.kill('SIGKILL');
    await first.done;
    const sentBefore = (await emulator.stats()).bulkRequests;
    beforeRestart();
    const second = spawnCli(args, env);
    // Watched from the moment it starts sending (its first line), for 3 s.
    await new Promise<void>((resolve) => {
      let text = '';
      second.child.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (/^job \S+: run over/m.test(text)) resolve();
      });
      void second.done.then(() => resolve());
    });
    await sleep(3_000);
    second.child.kill('SIGKILL');
    const secondResult = await second.done;
    // It was alive and waiting when killed, not crashed at start (which would also send nothing).
    expect(secondResult.signal, secondResult.stderr).toBe('SIGKILL');
    const stats = await emulator.stats();
    return { sentBefore, sentAfter: stats.bulkRequests - sentBefore, rateLimited: stats.rateLimited };
  }

  it('starts with its predecessor\'s sends of the last window counted: nothing sent, no 429', async () => {
    const result = await killAndRestart('restart');
    expect(result.sentBefore).toBe(LIMIT);
    expect(result.rateLimited).toBe(0);
    expect(result.sentAfter).toBe(0);
  }, 60_000);

  it('without that record (the sends table emptied), the same restart meets its own past as 429s', async () => {
    const job = 'restart-blind';
    const result = await killAndRestart(job, () => {
      const raw = new Database(join(fixture.dir, 'checkpoints', `${job}.db`));
      raw.prepare('delete from sends').run();
      raw.close();
    });
    expect(result.sentBefore).toBe(LIMIT);
    expect(result.rateLimited).toBeGreaterThan(0);
  }, 60_000);
});
