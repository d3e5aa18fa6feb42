import { describe, expect, it } from 'vitest';
import {
  Reconciler, comparableFromPayload, formatReconcileReport, reconcileExitCode, type ReconcileReport, type SourceItem, type TargetUser,
} from '../../../src/reconcile/index.js';
import { compareLegacyIds } from '../../../src/reconcile/legacy-id-order.js';

const fieldsOf = (email: string) => comparableFromPayload({ email });
const eligible = (legacyId: string, email = `u${legacyId}@example.com`, hashes: { now?: string; ledger?: string | null } = {}): SourceItem => ({
  legacyId, eligible: true, fields: fieldsOf(email), payloadHash: hashes.now ?? 'h', ledgerHash: hashes.ledger === undefined ? 'h' : hashes.ledger,
});
const target = (id: string, legacyId: string | null, email = `u${legacyId ?? 'x'}@example.com`): TargetUser => ({ id, legacyId, fields: fieldsOf(email) });
const finish = (r: Reconciler, stillInTable: string[] = []): ReconcileReport =>
  r.finish({ job: 'j', environmentId: 'env', stillInTable: new Set(stillInTable) });

/** A reconciler where users 1..n were migrated as dyn-1..dyn-n and are all in Dynamic. */
function cleanState(n: number): Reconciler {
  const r = new Reconciler();
  for (let i = 1; i <= n; i++) {
    r.addLedgerEntry({ legacyId: String(i), dynamicUserId: `dyn-${i}`, outcome: 'created' });
    r.addTargetUser(target(`dyn-${i}`, String(i)));
  }
  return r;
}

describe('Reconciler', () => {
  it('agrees when the three sets match, ignoring Dynamic users that are not ours', () => {
    const r = cleanState(3);
    r.addTargetUser(target('native', null));
    r.addLedgerEntry({ legacyId: '9', dynamicUserId: null, outcome: 'rejected' });
    for (const id of ['1', '2', '3']) r.addSource(eligible(id));
    r.addSource({ legacyId: '9', eligible: false });
    const report = finish(r);
    expect(report.agree).toBe(true);
    expect(reconcileExitCode(report)).toBe(0);
    expect(report.counts).toEqual({
      sourceEligible: 3, sourceRejected: 1, ledgerEntries: 4, ledgerMigrated: 3, targetUsers: 4, targetWithoutLegacyId: 1, agreeing: 3,
    });
    expect(formatReconcileReport(report)).toContain('agree');
  });

  it('reports an eligible user Dynamic lacks, whatever the ledger says', () => {
    const r = new Reconciler();
    r.addLedgerEntry({ legacyId: '1', dynamicUserId: 'dyn-1', outcome: 'created' });
    r.addLedgerEntry({ legacyId: '2', dynamicUserId: null, outcome: 'failed' });
    for (const id of ['1', '2', '3']) r.addSource(eligible(id));
    const report = finish(r);
    expect(report.missing).toEqual([
      { legacyId: '1', ledgerOutcome: 'created', dynamicUserId: 'dyn-1' },
      { legacyId: '2', ledgerOutcome: 'failed', dynamicUserId: null },
      { legacyId: '3', ledgerOutcome: null, dynamicUserId: null },
    ]);
    // The ledger's dyn-1 is gone from Dynamic too.
    expect(report.ledgerNotInTarget).toEqual([{ legacyId: '1', dynamicUserId: 'dyn-1', targetUserIds: [] }]);
    expect(reconcileExitCode(report)).toBe(3);
  });

  it('reports differing data, and whether the source changed since it was sent', () => {
    const r = cleanState(2);
    r.addSource(eligible('1', 'new@example.com', { now: 'h2', ledger: 'h1' }));
    r.addSource(eligible('2', 'edited@example.com', { now: 'h', ledger: 'h' }));
    const report = finish(r);
    expect(report.differs).toEqual([
      { legacyId: '1', dynamicUserId: 'dyn-1', fields: ['email'], sourceChangedSinceSent: true },
      { legacyId: '2', dynamicUserId: 'dyn-2', fields: ['email'], sourceChangedSinceSent: false },
    ]);
    expect(report.counts.agreeing).toBe(0);
  });

  it('reports migrated users no longer selected, telling soft deletes, hard deletes and new rejections apart', () => {
    const r = cleanState(4);
    r.addSource(eligible('1'));
    r.addSource({ legacyId: '2', eligible: false });
    expect(r.unselectedMigrated().sort()).toEqual(['3', '4']);
    const report = finish(r, ['3']);
    expect(report.deletedInSource).toEqual([
      { legacyId: '2', dynamicUserId: 'dyn-2', reason: 'rejected', inTarget: true },
      { legacyId: '3', dynamicUserId: 'dyn-3', reason: 'filtered_out', inTarget: true },
      { legacyId: '4', dynamicUserId: 'dyn-4', reason: 'gone', inTarget: true },
    ]);
    expect(report.missing).toEqual([]);
  });

  it('reports Dynamic users whose legacy id the ledger does not record as migrated', () => {
    const r = cleanState(1);
    r.addLedgerEntry({ legacyId: '2', dynamicUserId: null, outcome: 'failed' });
    r.addTargetUser(target('dyn-2', '2'));
    r.addTargetUser(target('dyn-77', '77'));
    r.addSource(eligible('1'));
    r.addSource(eligible('2'));
    const report = finish(r);
    expect(report.extra).toEqual([
      { legacyId: '2', dynamicUserId: 'dyn-2', ledgerOutcome: 'failed', eligible: true },
      { legacyId: '77', dynamicUserId: 'dyn-77', ledgerOutcome: null, eligible: false },
    ]);
    expect(report.missing).toEqual([]);
  });

  it('reports a legacy id carried twice and a ledger id replaced by another user', () => {
    const r = new Reconciler();
    r.addLedgerEntry({ legacyId: '1', dynamicUserId: 'dyn-1', outcome: 'created' });
    r.addLedgerEntry({ legacyId: '2', dynamicUserId: 'dyn-2', outcome: 'updated' });
    r.addTargetUser(target('dyn-1', '1'));
    r.addTargetUser(target('dyn-1b', '1'));
    r.addTargetUser(target('dyn-2b', '2'));
    r.addSource(eligible('1'));
    r.addSource(eligible('2'));
    const report = finish(r);
    expect(report.duplicates).toEqual([{ legacyId: '1', dynamicUserIds: ['dyn-1', 'dyn-1b'] }]);
    expect(report.ledgerNotInTarget).toEqual([{ legacyId: '2', dynamicUserId: 'dyn-2', targetUserIds: ['dyn-2b'] }]);
    expect(report.counts.agreeing).toBe(1);
  });

  it('prints counts and at most ten example ids per category, never an email', () => {
    const r = new Reconciler();
    for (let i = 1; i <= 12; i++) r.addSource(eligible(String(i), `secret${i}@example.com`));
    const text = formatReconcileReport(finish(r));
    expect(text).toContain('missing: 12');
    expect(text).toContain('… and 2 more');
    expect(text).not.toContain('@example.com');
    expect(text.split('\n').filter((line) => /^ {2}\d+ {2}never sent$/.test(line))).toHaveLength(10);
  });
});

describe('compareLegacyIds', () => {
  it('orders numeric ids numerically and text after them', () => {
    expect(['10', 'b', '9', 'a', '100', '09'].sort(compareLegacyIds)).toEqual(['09', '9', '10', '100', 'a', 'b']);
  });
});
