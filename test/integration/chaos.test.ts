import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/shared/mulberry32.js';
import { landedState, legacyIdOf } from '../helpers/chaos-landed-state.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

const USERS = 20_000;
const KILLS = 5;
/** Seeds the demo rows, the emulator's fault dice and the kill moments: one seed, one run. */
const SEED = 4_404;
/**
 * 10% injected 500/502/503, 5% stored-then-dropped connections, 5% spurious 429s (Retry-After: 1,
 * a plain-text body, as a proxy sends them), no rate-limit headers (as Dynamic documents), and a
 * server limit of 30 bulk requests per second: 4 unthrottled client requests in flight send about
 * 45 a second on an idle machine and still more than 30 on a busy one, so real 429s come in every
 * run too. (Windows shorter than a second cost a whole second per 429: Retry-After is in seconds.)
 */
const FAULTS = [
  '--failure-rate', '0.1', '--drop-rate', '0.05', '--spurious-429-rate', '0.05', '--no-rate-limit-headers',
  '--rate-limit', '30', '--rate-window-ms', '1000', '--seed', String(SEED),
];
/** The test takes about 90 s on a busy 2-core machine; the margin is for a loaded CI runner. */
const TIMEOUT_MS = 300_000;
/** Accounts someone else made in the environment before the job, sharing nothing with the source. */
const BYSTANDERS = [
  { email: 'bystander.one@elsewhere.example', firstName: 'Ada', metadata: { team: 'ops' } },
  { email: 'bystander.two@elsewhere.example', wallets: [{ publicWalletAddress: '0x00000000000000000000000000000000000b0b01', chain: 'ETH', walletName: 'Own', walletProvider: 'browserExtension' }] },
];

interface Status {
  counts: Record<string, number>;
  batches: { planned: number; sent: number };
  inDoubt: number;
}

// The chaos test: 20,000 users with wallets and identities, an API that fails, drops
// connections after storing and rate-limits, and the CLI killed with SIGKILL five times. The end
// state must be exactly what one quiet, uninterrupted run leaves: everyone once, with their data.
describe('chaos: SIGKILL five times against a faulty, rate-limited API', () => {
  let fixture: MigrationFixture;
  /** What happened, printed at the end even when an assertion failed. */
  const log: string[] = [];
  const started: EmulatorProcess[] = [];
  const emulatorWith = async (args: string[]) => {
    const emulator = await startEmulatorProcess(args);
    started.push(emulator);
    return emulator;
  };
  const apiEnv = (emulator: EmulatorProcess) => ({
    DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token,
  });
  const runArgs = (job: string) => [
    'run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url,
    '--concurrency', '4', '--rate-limit', '0', '--lookup-rate-limit', '0', ...fixture.dirArgs,
  ];
  const checkpointArgs = () => fixture.dirArgs.slice(0, 2);
  const status = async (job: string) => JSON.parse((await runCli(['status', '--job', job, '--json', ...checkpointArgs()])).stdout) as Status;

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: USERS, seed: SEED });
  });
  afterAll(async () => {
    if (log.length > 0) console.log(`chaos test:\n  ${log.join('\n  ')}`);
    await Promise.all(started.map((emulator) => emulator.stop()));
    await fixture?.cleanup();
  });

  it('lands every eligible user exactly once, with the right data and ids, and reconciles', async () => {
    const began = Date.now();

    // The reference: one uninterrupted run into an emulator without faults.
    const reference = await emulatorWith(['--rate-limit', '0']);
    const quiet = await runCli(runArgs('reference'), apiEnv(reference));
    expect(quiet.stderr).not.toMatch(/unexpected error/);
    expect(quiet.code).toBe(3); // the demo seed's deliberately invalid rows
    const expected = await landedState(reference, ENVIRONMENT_ID);
    expect(expected).toHaveLength(fixture.expectedValid);
    log.push(`reference run: ${Date.now() - began} ms`);

    // Five kills at pseudo-random moments spread over the run: each waits until the emulator holds
    // a random number of users inside its fifth of [5%, 90%], then a random 0-400 ms more, so the
    // kill falls anywhere in mapping, sending or settling.
    const target = await emulatorWith(FAULTS);
    await target.createUsers(ENVIRONMENT_ID, BYSTANDERS);
    const bystanders = await landedState(target, ENVIRONMENT_ID);
    expect(bystanders).toHaveLength(BYSTANDERS.length);
    const random = mulberry32(SEED);
    const span = 0.85 / KILLS;
    let kills = 0;
    let killsWithBatchesInDoubt = 0;
    for (let k = 0; k < KILLS; k++) {
      const threshold = Math.floor(fixture.expectedValid * (0.05 + span * (k + random())));
      const jitterMs = Math.floor(random() * 400);
      const { child, done } = spawnCli(runArgs('chaos'), apiEnv(target));
      let exited = false;
      void done.then(() => (exited = true));
      while (!exited && (await target.stats()).usersStored < threshold) await new Promise((resolve) => setTimeout(resolve, 50));
      if (!exited) await new Promise((resolve) => setTimeout(resolve, jitterMs));
      child.kill('SIGKILL');
      const result = await done;
      expect(result.stderr).not.toMatch(/unexpected error/);
      // The run must not have finished on its own before its kill: then the kill proves nothing.
      expect(result.signal, `run ${k + 1} ended before its kill (code ${result.code}): ${result.stderr}`).toBe('SIGKILL');
      kills += 1;
      const after = await status('chaos');
      const inDoubt = after.batches.planned + after.batches.sent;
      if (inDoubt > 0) killsWithBatchesInDoubt += 1;
      log.push(`kill ${k + 1} at ${threshold} users stored + ${jitterMs} ms: stored ${(await target.stats()).usersStored}, ${inDoubt} batches in doubt`);
    }
    expect(kills).toBe(KILLS);
    // The kills really caught batches on the wire or unsettled (else in-doubt replay went untested).
    expect(killsWithBatchesInDoubt).toBeGreaterThan(0);

    // Rerun until it completes; each rerun replays the users in doubt (no upsert; looked up), then resumes.
    let finished = false;
    for (let attempt = 0; attempt < 4 && !finished; attempt++) {
      const result = await runCli(runArgs('chaos'), apiEnv(target));
      expect(result.stderr).not.toMatch(/unexpected error/);
      finished = result.code === 3 || result.code === 0;
      log.push(`rerun ${attempt + 1}: exit ${result.code}`);
    }
    expect(finished).toBe(true);
    expect(latestSummary(fixture.dir, 'chaos')).toMatchObject({ addsUp: true, failed: 0 });

    // The API really misbehaved: 5xx, drops after storing, spurious 429s (and, when the client got
    // ahead of the server's 30/s, the limit's own).
    const stats = await target.stats();
    log.push(`emulator: ${JSON.stringify(stats)}`);
    expect(stats.injectedFailures).toBeGreaterThan(0);
    expect(stats.droppedConnections).toBeGreaterThan(0);
    expect(stats.spurious429s).toBeGreaterThan(0);
    // No replay went out with upsert: lost answers were looked up instead.
    expect(stats.upsertRequests).toBe(0);

    // Every eligible user exactly once, with the same data as the quiet run; the bystanders untouched.
    const landed = (await target.listUsers(ENVIRONMENT_ID)).filter((user) => legacyIdOf(user) !== 'undefined');
    expect(new Set(landed.map(legacyIdOf)).size).toBe(landed.length);
    expect(landed).toHaveLength(fixture.expectedValid);
    expect(await landedState(target, ENVIRONMENT_ID)).toEqual([...expected, ...bystanders].sort());

    // Nothing left in doubt, and the ledger holds every Dynamic id: the very ids the API holds. Every
    // user the job created is `created`, however its answer came (lost answers were looked up).
    const final = await status('chaos');
    expect(final.batches.planned + final.batches.sent).toBe(0);
    expect(final.inDoubt).toBe(0);
    expect(final.counts.created ?? 0).toBe(fixture.expectedValid);
    expect((final.counts.updated ?? 0) + (final.counts.already_exists ?? 0) + (final.counts.conflict ?? 0)).toBe(0);
    const exported = await runCli(['export', 'idmap', '--job', 'chaos', '--format', 'jsonl', ...checkpointArgs()]);
    expect(exported.code).toBe(0);
    const idMap = exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as { legacyId: string; dynamicUserId: string | null; outcome: string });
    const migrated = idMap.filter((entry) => entry.outcome === 'created');
    expect(migrated).toHaveLength(fixture.expectedValid);
    expect(new Map(migrated.map((entry) => [entry.legacyId, entry.dynamicUserId]))).toEqual(new Map(landed.map((user) => [legacyIdOf(user), user.id])));

    log.push(`${kills} kills, ${killsWithBatchesInDoubt} with batches in doubt; ${Date.now() - began} ms before reconcile`);

    // Source, ledger and target agree.
    const reconcile = await runCli(
      ['reconcile', '--job', 'chaos', '--mapping', 'mappings/example.ts', '--database-url', fixture.db.url, ...checkpointArgs()],
      apiEnv(target),
    );
    log.push(`reconcile: exit ${reconcile.code}; ${Date.now() - began} ms`);
    expect(reconcile.code, `reconcile: ${reconcile.stdout}${reconcile.stderr}`).toBe(0);

    // Rollback removes exactly what the job created, however each user was settled: the
    // environment holds what it held before the job, byte for byte.
    const rollback = await runCli(['rollback', '--job', 'chaos', '--yes', '--rate-limit', '0', ...checkpointArgs()], apiEnv(target));
    log.push(`rollback: exit ${rollback.code}; ${Date.now() - began} ms in all`);
    expect(rollback.code, `rollback: ${rollback.stdout}${rollback.stderr}`).toBe(0);
    expect(await landedState(target, ENVIRONMENT_ID)).toEqual(bystanders);
  }, TIMEOUT_MS);
});
