import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiUser } from '../../src/emulator/index.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestRunDir, readJsonl } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

interface Payload {
  legacyId: string;
  payload: { email?: string; wallets?: Array<{ publicWalletAddress: string; chain: string }> };
}

const VICTIMS = 12;
/** 5xx, connections dropped after storing, spurious 429s: the answers that leave users in doubt. */
const FAULTS = ['--rate-limit', '0', '--failure-rate', '0.1', '--drop-rate', '0.15', '--spurious-429-rate', '0.05', '--no-rate-limit-headers', '--seed', '77'];

// The target environment already holds real people: some with the emails of legacy rows, some with
// their wallet addresses. A faulty run (5xx, drops after storing: answers lost, replays, look-ups),
// then changes to those legacy rows and an incremental rerun must leave every one of those people
// byte for byte as they were, and report the legacy rows as conflicts.
describe('a target that already holds someone else\'s accounts', () => {
  let fixture: MigrationFixture;
  let emulator: EmulatorProcess;
  let foreign: ApiUser[];
  let before: Map<string, string>;
  let emailVictims: string[];
  let walletVictims: string[];
  const job = 'foreign';

  const apiEnv = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });
  const runArgs = (...extra: string[]) => [
    'run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--lag', '0',
    '--batch-size', '20', '--lookup-rate-limit', '0', '--retries', '20', ...fixture.dirArgs, ...extra,
  ];
  const checkpointArgs = () => ['--job', job, '--checkpoint-dir', join(fixture.dir, 'checkpoints')];
  /** Each foreign account exactly as the API shows it, timestamps included. */
  const snapshot = async () => {
    const users = new Map((await emulator.listUsers(ENVIRONMENT_ID)).map((user) => [String(user.id), JSON.stringify(user)]));
    return new Map(foreign.map((user) => [String(user.id), users.get(String(user.id)) ?? 'gone']));
  };
  const idMap = async () => {
    const exported = await runCli(['export', 'idmap', '--format', 'jsonl', ...checkpointArgs()]);
    return new Map(exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as { legacyId: string; outcome: string; owner: string | null }).map((e) => [e.legacyId, e]));
  };
  /** Runs until a run finishes (exit 0 or 3); faults may stop one half-way (exit 1). */
  const runToEnd = async (...extra: string[]) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await runCli(runArgs(...extra), apiEnv());
      expect(result.stderr).not.toMatch(/unexpected error/);
      if (result.code === 0 || result.code === 3) return;
    }
    throw new Error('the job did not finish in five runs');
  };

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 600, seed: 41 });
    // What the mapping makes of each row, from a dry run: the victims are picked from it.
    const dry = await runCli(['run', '--dry-run', '--mapping', 'mappings/example.ts', '--job', 'foreign-dry', '--database-url', fixture.db.url, ...fixture.dirArgs]);
    expect(dry.code).toBe(3);
    const payloads = readJsonl(join(latestRunDir(fixture.dir, 'foreign-dry'), 'payloads.jsonl')) as unknown as Payload[];
    const withWallet = payloads.filter((p) => (p.payload.wallets ?? []).some((w) => w.chain === 'ETH' || w.chain === 'EVM'));
    walletVictims = withWallet.slice(0, VICTIMS).map((p) => p.legacyId);
    emailVictims = payloads.filter((p) => p.payload.email && !walletVictims.includes(p.legacyId)).slice(0, VICTIMS).map((p) => p.legacyId);
    const byId = new Map(payloads.map((p) => [p.legacyId, p.payload]));

    emulator = await startEmulatorProcess(FAULTS);
    // Real people who signed up directly: one holds a legacy row's email, another a legacy row's wallet.
    foreign = await emulator.createUsers(ENVIRONMENT_ID, [
      ...emailVictims.map((id, i) => ({ email: byId.get(id)!.email, firstName: 'Real', lastName: `Person ${i}`, metadata: { signedUp: 'directly' } })),
      ...walletVictims.map((id, i) => {
        const wallet = byId.get(id)!.wallets!.find((w) => w.chain === 'ETH' || w.chain === 'EVM')!;
        return {
          email: `holder-${i}@elsewhere.example`,
          wallets: [{ publicWalletAddress: wallet.publicWalletAddress.toUpperCase().replace(/^0X/, '0x'), chain: 'EVM', walletName: 'Mine', walletProvider: 'browserExtension' }],
        };
      }),
    ]);
    expect(foreign).toHaveLength(2 * VICTIMS);
    before = await snapshot();
  }, 120_000);
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('a faulty run (a kill, lost answers, replays) lands everyone else once and never touches them', async () => {
    const { child, done } = spawnCli(runArgs(), apiEnv());
    let exited = false;
    void done.then(() => (exited = true));
    while (!exited && (await emulator.stats()).usersStored < foreign.length + 200) await new Promise((resolve) => setTimeout(resolve, 30));
    child.kill('SIGKILL');
    expect((await done).signal, 'the first run ended before its kill').toBe('SIGKILL');
    await runToEnd();

    expect(await snapshot()).toEqual(before);
    const stats = await emulator.stats();
    expect(stats.droppedConnections).toBeGreaterThan(0);
    const ledger = await idMap();
    for (const id of [...emailVictims, ...walletVictims]) expect(ledger.get(id), `legacy row ${id}`).toMatchObject({ outcome: 'conflict', owner: 'other' });
    // Everyone else landed exactly once, and was created by the job.
    const ours = (await emulator.listUsers(ENVIRONMENT_ID)).filter((user) => (user.metadata as Record<string, unknown>).legacyId !== undefined);
    const legacyIds = ours.map((user) => String((user.metadata as Record<string, unknown>).legacyId));
    expect(new Set(legacyIds).size).toBe(legacyIds.length);
    expect(legacyIds).toHaveLength(fixture.expectedValid - 2 * VICTIMS);
    for (const id of legacyIds) expect(ledger.get(id)).toMatchObject({ outcome: 'created', owner: 'job' });
  }, 180_000);

  it('changed legacy rows: the conflicts stay conflicts, never pushed into those accounts; our users are updated', async () => {
    const victims = [...emailVictims, ...walletVictims];
    const ordinary = [...(await idMap()).values()].filter((e) => e.outcome === 'created').slice(0, 10).map((e) => e.legacyId);
    await sql`update users set first_name = 'Changed', job_title = 'Changed too', updated_at = now() where id = any(${[...victims, ...ordinary]})`.execute(fixture.db.admin);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runToEnd();

    expect(await snapshot()).toEqual(before);
    const runDir = latestRunDir(fixture.dir, job);
    const conflicts = readJsonl(join(runDir, 'failed.jsonl')).filter((f) => f.outcome === 'conflict').map((f) => String(f.legacyId));
    expect(conflicts.sort()).toEqual([...victims].sort());
    const ledger = await idMap();
    for (const id of victims) expect(ledger.get(id)).toMatchObject({ outcome: 'conflict' });
    const landed = new Map((await emulator.listUsers(ENVIRONMENT_ID)).map((user) => [String((user.metadata as Record<string, unknown>).legacyId), user]));
    for (const id of ordinary) expect(landed.get(id)).toMatchObject({ firstName: 'Changed', jobTitle: 'Changed too' });
    for (const id of ordinary) expect(ledger.get(id)).toMatchObject({ owner: 'job' });
  }, 180_000);
});
