import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byLegacyId, createExampleFixture, legacyIdOf, rejectionKeys } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';
import { ETH_ANN, ETH_ERIN, EVM_SHARED, SOL_ANN2, duplicatesMapping, seedDuplicates } from '../fixtures/duplicates/seed.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

type ApiUsers = Awaited<ReturnType<EmulatorProcess['listUsers']>>;

// The mapping's duplicates policy end to end: real PostgreSQL, the CLI and the emulator as child processes.
describe('duplicates within the source, decided before Dynamic refuses them', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;

  beforeAll(async () => {
    fixture = await createExampleFixture(seedDuplicates);
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  /** Runs the CLI with the mapping under `policy` into an environment of its own; returns what landed. */
  async function migrate(job: string, duplicates?: Record<string, string>) {
    const mappingFile = join(fixture.dir, `${job}.json`);
    writeFileSync(mappingFile, JSON.stringify(duplicatesMapping(job, duplicates)));
    const environmentId = randomUUID();
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: environmentId, DYNAMIC_API_TOKEN: emulator.token };
    const result = await runCli(['run', '--mapping', mappingFile, '--database-url', fixture.db.url, ...fixture.dirArgs, '--concurrency', '1'], env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    const runDir = latestRunDir(fixture.dir, job);
    const users = await emulator.listUsers(environmentId);
    return {
      code: result.code,
      summary: latestSummary(fixture.dir, job),
      rejects: readJsonl(join(runDir, 'rejects.jsonl')),
      failed: readJsonl(join(runDir, 'failed.jsonl')),
      users,
      landed: users.map((user) => legacyIdOf(user, 'legacyId')).sort(),
    };
  }
  const walletsOf = (users: ApiUsers, id: string) =>
    ((byLegacyId(users, 'legacyId').get(id)?.wallets ?? []) as Array<Record<string, unknown>>).map((w) => `${String(w.chain)}:${String(w.publicKey)}`);
  const accountsOf = (users: ApiUsers, id: string) =>
    ((byLegacyId(users, 'legacyId').get(id)?.verifiedCredentials ?? []) as Array<Record<string, unknown>>)
      .filter((c) => c.format === 'oauth')
      .map((c) => `${String(c.oauth_provider)}:${String(c.oauth_account_id)}`);

  it('without a policy every row is sent and Dynamic refuses the clashes with its own codes: conflicts, never merged', async () => {
    const run = await migrate('dups-none');
    expect(run.rejects).toEqual([]);
    // Each later row of a cluster claims an identity the first one's Dynamic user holds (a
    // case-twin email too): a conflict with that user, looked up and named, never merged into it.
    expect(run.failed.map((f) => [f.legacyId, f.outcome, f.code])).toEqual([
      ['2', 'conflict', 'email_already_exists'],
      ['4', 'conflict', 'wallet_account_exists_for_chain'],
      ['6', 'conflict', 'social_account_already_exists'],
      ['8', 'conflict', 'username_already_exists'],
    ]);
    const holderOf = new Map(run.users.map((user) => [legacyIdOf(user, 'legacyId'), String(user.id)]));
    expect(run.failed.find((f) => f.legacyId === '2')?.message).toContain(holderOf.get('1'));
    expect(run.summary).toMatchObject({ addsUp: true, created: 5, alreadyExisted: 0, conflicts: 4, failed: 0, rejected: 0 });
    expect(run.landed).toEqual(['1', '3', '5', '7', '9']);
  });

  it('rejectAllButFirst: the first of each cluster lands, the others are rejected as duplicates, nothing fails', async () => {
    const run = await migrate('dups-first', { policy: 'rejectAllButFirst' });
    expect(run.landed).toEqual(['1', '3', '5', '7', '9']);
    expect(run.failed).toEqual([]);
    expect(rejectionKeys(run.rejects)).toEqual(['2 email duplicate', '4 wallets duplicate', '6 oauthAccounts duplicate', '8 username duplicate']);
    expect(run.rejects.find((r) => r.legacyId === '2')).toMatchObject({ message: expect.stringContaining('legacy id 1'), value: 'a…m (19 chars)' });
    expect(run.rejects.find((r) => r.legacyId === '4')).toMatchObject({ message: expect.stringContaining('legacy id 3'), value: 'EVM:0…3 (42 chars)' });
    // The rejects file shows masked values only.
    expect(JSON.stringify(run.rejects)).not.toMatch(/ann\.lee|example\.com|gh-5|finn|cccc0000/i);
    expect(run.summary).toMatchObject({ addsUp: true, created: 5, failed: 0, rejected: 4 });
    expect(run.code).toBe(3);
  });

  it('keepNewest by updated_at: the most recently updated member of each cluster lands', async () => {
    const run = await migrate('dups-newest', { policy: 'keepNewest', newestBy: 'updated_at' });
    expect(run.landed).toEqual(['2', '3', '6', '7', '9']);
    expect(run.failed).toEqual([]);
    expect(rejectionKeys(run.rejects)).toEqual(['1 email duplicate', '4 wallets duplicate', '5 oauthAccounts duplicate', '8 username duplicate']);
    expect(run.rejects.find((r) => r.legacyId === '1')?.message).toContain('legacy id 2');
  });

  it('merge: the first member lands carrying every member’s wallets and OAuth accounts, each once', async () => {
    const run = await migrate('dups-merge', { policy: 'merge' });
    expect(run.landed).toEqual(['1', '3', '5', '7', '9']);
    expect(run.failed).toEqual([]);
    expect(rejectionKeys(run.rejects)).toEqual(['2 email duplicate_merged', '4 wallets duplicate_merged', '6 oauthAccounts duplicate_merged', '8 username duplicate_merged']);
    expect(walletsOf(run.users, '1')).toEqual([`ETH:${ETH_ANN}`, `SOL:${SOL_ANN2}`]);
    expect(accountsOf(run.users, '1')).toEqual(['github:gh-2']);
    // 4's wallet is 3's in other case and on EVM: kept once, as 3 has it; 4's Google account joins.
    expect(walletsOf(run.users, '3')).toEqual([`ETH:${EVM_SHARED}`]);
    expect(accountsOf(run.users, '3')).toEqual(['google:go-4']);
    expect(walletsOf(run.users, '5')).toEqual([`ETH:${ETH_ERIN}`]);
    expect(accountsOf(run.users, '5')).toEqual(['github:gh-5']);
  });
});
