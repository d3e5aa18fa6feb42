import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../src/reconcile/index.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

// Reconcile as a user runs it: after a clean run everything agrees; then Dynamic, the source and the
// ledger are made to disagree in each way reconcile knows, and each shows up in its own category.
describe('dynamic-migrate reconcile', () => {
  let fixture: MigrationFixture;
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;
  const job = 'recon';

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 300, seed: 41 });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  const apiEnv = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });
  const common = () => ['--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, '--checkpoint-dir', fixture.dirArgs[1] ?? ''];
  const reconcile = (...extra: string[]) => runCli(['reconcile', ...common(), ...extra], apiEnv());
  const reconcileJson = async () => {
    const result = await reconcile('--json');
    return { ...result, report: JSON.parse(result.stdout) as ReconcileReport };
  };
  const ids = (entries: Array<{ legacyId: string }>) => entries.map((entry) => entry.legacyId);

  it('agrees after a clean run, and reports each kind of drift after the fact', async () => {
    const run = await runCli(['run', ...common(), ...fixture.dirArgs.slice(2), '--rate-limit', '0'], apiEnv());
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code).toBe(fixture.cleanExit); // 3 when the seed holds rows the mapping rejects

    const clean = await reconcileJson();
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.report.agree).toBe(true);
    expect(clean.report.warnings).toEqual([]);
    expect(clean.report.counts).toMatchObject({
      sourceEligible: fixture.expectedValid, ledgerMigrated: fixture.expectedValid, targetUsers: fixture.expectedValid,
      agreeing: fixture.expectedValid, sourceRejected: fixture.seeded.deliberatelyInvalid,
    });
    // The seed's invalid rows are expected absent, each with the rules it breaks; not a difference.
    expect(clean.report.expectedAbsent).toHaveLength(fixture.seeded.deliberatelyInvalid);
    expect(clean.report.expectedAbsent.every((entry) => entry.rules.length > 0 && !entry.inTarget)).toBe(true);
    expect(clean.report.conflicts).toEqual([]);

    // Pick four migrated users: delete one in Dynamic, edit one, soft-delete one, hard-delete one in the source.
    const users = await emulator.listUsers(ENVIRONMENT_ID);
    const legacyOf = (index: number) => String((users[index]?.metadata as Record<string, unknown>).legacyId);
    const [deletedInDynamic, edited, softDeleted, hardDeleted] = [3, 10, 20, 30].map(legacyOf) as [string, string, string, string];
    const deletedUserId = users[3]?.id ?? '';
    const removed = await fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/${deletedUserId}`, {
      method: 'DELETE', headers: { authorization: `Bearer ${emulator.token}` },
    });
    expect(removed.status).toBe(200);
    await fixture.db.admin.updateTable('users').set({ email: `reconciled-${edited}@example.org`, updated_at: sql`now()` }).where('id', '=', edited).execute();
    await fixture.db.admin.updateTable('users').set({ deleted_at: sql`now()` }).where('id', '=', softDeleted).execute();
    for (const table of ['user_wallets', 'user_identities']) await fixture.db.admin.deleteFrom(table).where('user_id', '=', hardDeleted).execute();
    await fixture.db.admin.deleteFrom('users').where('id', '=', hardDeleted).execute();
    // And a user someone created in Dynamic with a legacy id the ledger never saw.
    const created = await fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ email: 'stranger@example.org', metadata: { legacyId: '999999' } }]),
    });
    expect(created.status).toBeLessThan(300);

    const drift = await reconcileJson();
    expect(drift.code).toBe(3);
    const { report } = drift;
    expect(report.agree).toBe(false);
    expect(report.missing).toEqual([{ legacyId: deletedInDynamic, ledgerOutcome: 'created', dynamicUserId: deletedUserId }]);
    expect(report.ledgerNotInTarget).toEqual([{ legacyId: deletedInDynamic, dynamicUserId: deletedUserId, targetUserIds: [] }]);
    expect(report.differs).toEqual([expect.objectContaining({ legacyId: edited, fields: ['email'], sourceChangedSinceSent: true })]);
    expect(report.deletedInSource).toEqual([
      expect.objectContaining({ legacyId: softDeleted, reason: 'filtered_out', inTarget: true }),
      expect.objectContaining({ legacyId: hardDeleted, reason: 'gone', inTarget: true }),
    ].sort((a, b) => Number(a.legacyId) - Number(b.legacyId)));
    expect(ids(report.extra)).toEqual(['999999']);
    expect(report.duplicates).toEqual([]);
    // Two no longer eligible, one missing, one differing.
    expect(report.counts).toMatchObject({ sourceEligible: fixture.expectedValid - 2, agreeing: fixture.expectedValid - 4 });
    // Reported, never deleted: the soft- and hard-deleted users are still in Dynamic.
    const after = await emulator.listUsers(ENVIRONMENT_ID);
    expect(after).toHaveLength(fixture.expectedValid); // one deleted by us, one stranger added

    // The text report: counts and ids per category, no personal data.
    const text = await reconcile();
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/missing: 1 /);
    expect(text.stdout).toMatch(/differs: 1 /);
    expect(text.stdout).toMatch(/deletedInSource: 2 /);
    expect(text.stdout).toMatch(/ledgerNotInTarget: 1 /);
    expect(text.stdout).toMatch(/extra: 1 /);
    expect(text.stdout).toContain(`  ${edited}  email; changed in the source since sent`);
    expect(text.stdout).not.toMatch(/@example\.(org|com)/);
  });

  it('exits 2 on a configuration error', async () => {
    const missingToken = await runCli(['reconcile', ...common()], { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID });
    expect(missingToken.code).toBe(2);
    expect(missingToken.stderr).toMatch(/DYNAMIC_API_TOKEN/);
    const unknownJob = await runCli(['reconcile', ...common(), '--job', 'never-ran'], apiEnv());
    expect(unknownJob.code).toBe(2);
  });
});
