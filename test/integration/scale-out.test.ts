import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landedState, legacyIdOf } from '../helpers/chaos-landed-state.js';
import { ENVIRONMENT_ID } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/run-cli.js';
import { createScaleRig } from '../helpers/scale-rig.js';
import type { ScaleRig, ScaledJobStatus } from '../helpers/scale-rig.js';

const USERS = 2_000;
/**
 * The loader's clock runs this many times faster (DYNAMIC_MIGRATE_BENCH_CLOCK), and the emulator's
 * windows are this many times shorter than a minute: a per-IP limit of PER_IP a "minute" is PER_IP
 * every 3 s, so one worker alone would need about 12 s for the 40 bulk requests of the job.
 */
const FACTOR = 20;
const WINDOW_MS = 60_000 / FACTOR;
const PER_IP = 6;
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];


// Issue 17: the same job worked by four processes, each from its own loopback address, through a
// shared PostgreSQL state database. The end state must be what one quiet single run leaves.
describe('scale-out: run plus three workers on four addresses, one state database', () => {
  let rig: ScaleRig;
  let fixture: MigrationFixture;
  let state: TestDatabase;

  beforeAll(async () => {
    rig = await createScaleRig({ users: USERS, seed: 1_717 });
    fixture = rig.fixture;
    state = await createTestDatabase();
  });
  afterAll(async () => {
    await state?.drop();
    await rig?.cleanup();
  });

  it('lands every eligible user exactly once, each address within its limit, with one id map', async () => {
    const expected = await rig.reference();
    const emulator = await rig.emulator(['--rate-limit', String(PER_IP), '--rate-window-ms', String(WINDOW_MS)]);
    const env = { ...rig.apiEnv(emulator), DYNAMIC_MIGRATE_STATE_URL: state.url, DYNAMIC_MIGRATE_BENCH_CLOCK: `${Date.now()}:${FACTOR}` };
    const common = ['--mapping', 'mappings/example.ts', '--job', 'scaled', '--database-url', fixture.db.url, '--rate-limit', String(PER_IP), ...fixture.dirArgs];
    const [first, ...others] = ADDRESSES as [string, ...string[]];
    const processes = [
      rig.spawn(['run', ...common, '--rows-per-chunk', '150', '--local-address', first], env),
      ...others.map((address) => rig.spawn(['worker', ...common, '--local-address', address], env)),
    ];
    const results = await Promise.all(processes.map((process) => process.done));
    for (const result of results) {
      expect(result.stderr, result.stderr).not.toMatch(/unexpected error/);
      if (result.code !== 0 && result.code !== 3) console.log(result.stderr);
      expect([0, 3]).toContain(result.code); // 3: its chunks held some of the seed's invalid rows
    }

    // Exactly once, with the right data: the same users, field for field, as the single run.
    expect(await landedState(emulator, ENVIRONMENT_ID)).toEqual(expected);
    const stats = await emulator.stats();
    for (const address of ADDRESSES) {
      const seen = stats.clients[address];
      expect(seen, `requests from ${address}`).toBeDefined();
      expect(seen?.bulkRequests ?? 0).toBeGreaterThan(0);
      expect(seen?.peakInWindow ?? Infinity).toBeLessThanOrEqual(PER_IP);
      expect(seen?.ipRateLimited).toBe(0);
    }
    // (127.0.0.1 is this test, listing the users.)
    expect(Object.entries(stats.clients).filter(([, seen]) => seen.bulkRequests > 0).map(([address]) => address).sort()).toEqual(ADDRESSES);

    // One id map for the whole job: every stored user under its legacy id.
    const idMap = await runCli(['export', 'idmap', '--job', 'scaled', '--format', 'jsonl'], env);
    expect(idMap.code).toBe(0);
    const byLegacyId = new Map(idMap.stdout.trim().split('\n').map((line) => JSON.parse(line) as { legacyId: string; dynamicUserId: string | null; outcome: string })
      .filter((entry) => entry.outcome === 'created').map((entry) => [entry.legacyId, entry.dynamicUserId]));
    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(byLegacyId.size).toBe(users.length);
    for (const user of users) expect(byLegacyId.get(legacyIdOf(user))).toBe(user.id);

    const status = JSON.parse((await runCli(['status', '--job', 'scaled', '--json'], env)).stdout) as ScaledJobStatus;
    expect(status.counts.created).toBe(fixture.expectedValid);
    expect(status.chunks).toMatchObject({ done: status.chunks?.planned, running: 0, queued: 0, failed: 0 });
    expect(status.chunks?.planned).toBeGreaterThan(ADDRESSES.length);
    const text = (await runCli(['status', '--job', 'scaled'], env)).stdout;
    expect(text).toContain(`chunks         ${status.chunks?.planned} done, 0 running, 0 queued, 0 failed of ${status.chunks?.planned}`);
    expect(text).toMatch(/eta {12}every planned row is settled|phase {10}incremental/);

    // A worker with another mapping would send other payloads under the job's ledger: refused.
    const stranger = await runCli(['worker', '--mapping', 'mappings/plain-users.ts', '--job', 'scaled', '--database-url', fixture.db.url, ...fixture.dirArgs], env);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/differs from job "scaled"'s \(.*mapping changed/);
    expect(stranger.stderr).not.toContain(state.url);
  });
});
