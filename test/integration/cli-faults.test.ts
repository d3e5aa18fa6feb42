import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

// 429s and injected 5xx through the whole CLI: the run rides them out and lands everyone once.
describe('a run against a rate-limited, faulty API', () => {
  let fixture: MigrationFixture;
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 300, seed: 31 });
    // 4 requests per 2 s window (a short window so the test is quick), 30% injected 500/502/503.
    emulator = await startEmulatorProcess(['--rate-limit', '4', '--rate-window-ms', '2000', '--failure-rate', '0.3', '--seed', '9']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('retries 429s and 5xx to completion', async () => {
    const result = await runCli(
      ['run', '--mapping', 'mappings/example.ts', '--job', 'faulty', '--database-url', fixture.db.url, '--rate-limit', '0', '--concurrency', '3', ...fixture.dirArgs],
      { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token },
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(fixture.cleanExit); // only the rows the mapping rejects
    expect(latestSummary(fixture.dir, 'faulty')).toMatchObject({ addsUp: true, failed: 0, rejected: fixture.seeded.deliberatelyInvalid });
    const stats = await emulator.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.injectedFailures).toBeGreaterThan(0);
    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(users).toHaveLength(fixture.expectedValid);
    expect(new Set(users.map((user) => String((user.metadata as Record<string, unknown>).legacyId))).size).toBe(fixture.expectedValid);
  });
});
