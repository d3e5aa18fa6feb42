import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import { waitUntil } from '../helpers/wait-until.js';

type Emulator = Awaited<ReturnType<typeof startEmulatorProcess>>;

/** What a migration leaves in Dynamic, minus what Dynamic generates (ids, timestamps). */
async function landedState(emulator: Emulator): Promise<string[]> {
  const users = await emulator.listUsers(ENVIRONMENT_ID);
  return users
    .map((user) => {
      const wallets = ((user.wallets as Array<{ chain: string; publicKey: string }>) ?? []).map((w) => `${w.chain}:${w.publicKey}`).sort();
      const oauth = ((user.oauthAccounts as Array<{ provider: string }>) ?? []).map((o) => o.provider).sort();
      return JSON.stringify([(user.metadata as Record<string, unknown>).legacyId, user.email, user.username, user.firstName, user.country, wallets, oauth]);
    })
    .sort();
}


// A run killed with SIGKILL mid-way and rerun must end with the same users in Dynamic as a run
// that was never interrupted: nobody lost, nobody created twice.
describe('kill -9 and resume', () => {
  let fixture: MigrationFixture;
  const started: Emulator[] = [];
  const emulatorWith = async (args: string[]) => {
    const emulator = await startEmulatorProcess(args);
    started.push(emulator);
    return emulator;
  };

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 1200, seed: 23 });
  });
  afterAll(async () => {
    await Promise.all(started.map((emulator) => emulator.stop()));
    await fixture?.cleanup();
  });

  const runArgs = (job: string, emulator: Emulator) => ({
    args: ['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--batch-size', '10', '--concurrency', '4', '--rate-limit', '0', ...fixture.dirArgs],
    env: { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token },
  });

  it('ends with the same emulator state as an uninterrupted run', async () => {
    const reference = await emulatorWith(['--rate-limit', '0']);
    const uninterrupted = runArgs('reference', reference);
    expect((await runCli(uninterrupted.args, uninterrupted.env)).code).toBe(3);
    const expected = await landedState(reference);
    expect(expected).toHaveLength(fixture.expectedValid);

    // Slow responses and dropped connections (users stored, answer lost) make in-doubt batches likely.
    const target = await emulatorWith(['--rate-limit', '0', '--latency-rate', '1', '--latency-ms', '40', '--drop-rate', '0.15', '--seed', '5']);
    // The killed job reads and maps in worker threads; the reference in the main thread.
    const killed = runArgs('killed', target);
    const interrupted = { ...killed, args: [...killed.args, '--workers', '2'] };
    const statusArgs = ['status', '--job', 'killed', '--json', ...fixture.dirArgs.slice(0, 2)];
    let inDoubtAfterKills = 0;
    for (const threshold of [150, 500]) {
      const { child, done } = spawnCli(interrupted.args, interrupted.env);
      await waitUntil(async () => (await target.stats()).usersStored >= threshold, 60_000);
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      const status = JSON.parse((await runCli(statusArgs)).stdout) as { batches: { planned: number; sent: number } };
      inDoubtAfterKills += status.batches.planned + status.batches.sent;
    }
    // The kills really left batches in doubt, and connections really dropped after storing.
    expect(inDoubtAfterKills).toBeGreaterThan(0);
    expect((await target.stats()).droppedConnections).toBeGreaterThan(0);

    // Rerun until it finishes; every rerun resumes after the settled prefix.
    let finished = false;
    for (let attempt = 0; attempt < 3 && !finished; attempt++) {
      const result = await runCli(interrupted.args, interrupted.env);
      expect(result.stderr).not.toMatch(/unexpected error/);
      finished = result.code === 3 || result.code === 0;
    }
    expect(finished).toBe(true);
    expect(latestSummary(fixture.dir, 'killed')).toMatchObject({ addsUp: true, failed: 0 });
    expect(await landedState(target)).toEqual(expected);

    // Exactly once in effect: every valid user has its Dynamic id in the ledger, and it is the id
    // the emulator holds (a replay without upsert would have left "already exists" and no id).
    const status = JSON.parse((await runCli(statusArgs)).stdout) as { counts: Record<string, number> };
    expect((status.counts.created ?? 0) + (status.counts.updated ?? 0)).toBe(fixture.expectedValid);
    expect(status.counts.already_exists).toBe(0);
    const idMap = (await runCli(['export', 'idmap', '--job', 'killed', '--format', 'jsonl', ...fixture.dirArgs.slice(0, 2)])).stdout
      .trim().split('\n').map((line) => JSON.parse(line) as { legacyId: string; dynamicUserId: string | null; outcome: string });
    const landedIds = new Map((await target.listUsers(ENVIRONMENT_ID)).map((user) => [String((user.metadata as Record<string, unknown>).legacyId), user.id]));
    const migrated = idMap.filter((entry) => entry.outcome === 'created' || entry.outcome === 'updated');
    expect(migrated).toHaveLength(fixture.expectedValid);
    for (const entry of migrated) expect(entry.dynamicUserId).toBe(landedIds.get(entry.legacyId));
  });

  it('Ctrl-C stops at once even while waiting for the rate limit, prints the summary, exits 130, and resumes', async () => {
    const emulator = await emulatorWith(['--rate-limit', '0']);
    const { args, env } = runArgs('interrupted', emulator);
    // A client limit of 20 requests a minute: after 20 batches every further batch waits for a slot.
    const slow = args.map((arg, i) => (args[i - 1] === '--rate-limit' ? '20' : arg));
    const { child, done } = spawnCli(slow, env);
    await waitUntil(async () => (await emulator.stats()).bulkRequests >= 20, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalledAt = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/check\s+ok/);
    expect(result.stdout).toMatch(/run the same command again to resume/);
    expect((await emulator.stats()).bulkRequests).toBe(20);

    const resumed = await runCli(args, env);
    expect(resumed.code).toBe(3);
    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(users).toHaveLength(fixture.expectedValid);
    expect(new Set(users.map((user) => String((user.metadata as Record<string, unknown>).legacyId))).size).toBe(fixture.expectedValid);
  });
});
