import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../src/reconcile/index.js';
import { createExampleFixture } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';
import { CLUSTERS, duplicatesMapping, seedDuplicates } from '../fixtures/duplicates/seed.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { runCli } from '../helpers/run-cli.js';

// Reconcile agrees with a clean run: it decides eligibility with the run's own mapper, duplicates
// policy included, so the policy's rejects are expected absent, not missing; and a user the run
// deliberately kept out of someone else's account is a conflict, not missing.
describe('dynamic-migrate reconcile after runs with a duplicates policy and with conflicts', () => {
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

  /** A job of its own in an environment of its own; `before` runs against the environment first. */
  async function setUp(job: string, duplicates?: Record<string, string>) {
    const mappingFile = join(fixture.dir, `${job}.json`);
    writeFileSync(mappingFile, JSON.stringify(duplicatesMapping(job, duplicates)));
    const environmentId = randomUUID();
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: environmentId, DYNAMIC_API_TOKEN: emulator.token };
    const common = ['--mapping', mappingFile, '--database-url', fixture.db.url];
    return {
      environmentId,
      run: async () => {
        const result = await runCli(['run', ...common, ...fixture.dirArgs, '--concurrency', '1'], env);
        expect(result.stderr).not.toMatch(/unexpected error/);
        return result;
      },
      reconcile: (...extra: string[]) => runCli(['reconcile', ...common, '--checkpoint-dir', join(fixture.dir, 'checkpoints'), ...extra], env),
      reconcileJson: async () => {
        const result = await runCli(['reconcile', ...common, '--checkpoint-dir', join(fixture.dir, 'checkpoints'), '--json'], env);
        expect(result.stderr).toBe('');
        return { code: result.code, report: JSON.parse(result.stdout) as ReconcileReport };
      },
    };
  }
  const ids = (entries: ReadonlyArray<{ legacyId: string }>) => entries.map((entry) => entry.legacyId);
  const rejectedMembers = Object.values(CLUSTERS).map(([, other]) => other); // 2, 4, 6, 8

  it('rejectAllButFirst, migrated cleanly: exit 0, the policy’s rejects reported as expected absent', async () => {
    const job = await setUp('recon-dups-first', { policy: 'rejectAllButFirst' });
    const run = await job.run();
    expect(run.code).toBe(3); // the run reports its rejects

    const { code, report } = await job.reconcileJson();
    expect(code).toBe(0);
    expect(report.agree).toBe(true);
    expect(report.missing).toEqual([]);
    expect(report.conflicts).toEqual([]);
    expect(report.expectedAbsent).toEqual(rejectedMembers.map((legacyId) => ({ legacyId, rules: ['duplicate'], inTarget: false })));
    expect(report.counts).toMatchObject({
      sourceEligible: 5, sourceRejected: 4, sourceRejectedByRule: { duplicate: 4 }, ledgerMigrated: 5, targetUsers: 5, agreeing: 5,
    });

    const text = await job.reconcile();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('4 rejected by the mapping (duplicate 4)');
    expect(text.stdout).toMatch(/^expectedAbsent: 4 /m);
    expect(text.stdout).toMatch(/^ {2}2 {2}duplicate$/m);
    expect(text.stdout).not.toMatch(/^missing/m);
    expect(text.stdout).toMatch(/agree \(the 4 row\(s\) the mapping rejects are absent, as expected\)/);
    expect(text.stdout).not.toMatch(/@example\.com/i);
  });

  it('merge, migrated cleanly: the survivors agree with what the run sent (their members’ wallets and accounts included)', async () => {
    const job = await setUp('recon-dups-merge', { policy: 'merge' });
    await job.run();
    const { code, report } = await job.reconcileJson();
    expect(report.differs).toEqual([]); // compared with the merged payload the run sent, not the row alone
    expect(ids(report.expectedAbsent)).toEqual(rejectedMembers);
    expect(report.counts.sourceRejectedByRule).toEqual({ duplicate_merged: 4 });
    expect(report.counts.agreeing).toBe(5);
    expect(code).toBe(0);
  });

  it('a policy and a user someone else holds: the policy’s rejects expected absent, the held one a conflict, nothing missing', async () => {
    const job = await setUp('recon-held', { policy: 'rejectAllButFirst' });
    // Someone else's Dynamic user (no legacy id) holds the loner's email before the job runs.
    const seeded = await fetch(`${emulator.baseUrl}/environments/${job.environmentId}/users/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ email: 'solo@example.com' }]),
    });
    expect(seeded.ok, await seeded.clone().text()).toBe(true);
    const holderId = String((await emulator.listUsers(job.environmentId))[0]?.id);
    await job.run();

    const { code, report } = await job.reconcileJson();
    expect(report.conflicts).toEqual([{ legacyId: '9', holderDynamicUserId: holderId, holderInTarget: true, code: 'email_already_exists' }]);
    expect(report.missing).toEqual([]);
    expect(ids(report.expectedAbsent)).toEqual(rejectedMembers);
    expect(report.extra).toEqual([]);
    expect(report.counts).toMatchObject({ sourceEligible: 5, sourceRejected: 4, targetUsers: 5, targetWithoutLegacyId: 1, agreeing: 4 });
    expect(code).toBe(3);
  });
});
