import { describe, expect, it } from 'vitest';
import {
  Reconciler, comparableFromPayload, formatReconcileReport, reconcileExitCode, type ReconcileReport, type SourceItem, type TargetUser,
} from '../../../src/reconcile/index.js';
import type { IdMapEntry } from '../../../src/checkpoint/index.js';
import { compareLegacyIds } from '../../../src/reconcile/legacy-id-order.js';

const fieldsOf = (email: string) => comparableFromPayload({ email });
const eligible = (legacyId: string, email = `u${legacyId}@example.com`, hashes: { now?: string; ledger?: string | null } = {}): SourceItem => ({
  legacyId, eligible: true, fields: fieldsOf(email), payloadHash: hashes.now ?? 'h', ledgerHash: hashes.ledger === undefined ? 'h' : hashes.ledger,
});
const target = (id: string, legacyId: string | null, email = `u${legacyId ?? 'x'}@example.com`): TargetUser => ({ id, legacyId, fields: fieldsOf(email) });
/** A ledger entry as the checkpoint yields it (its owner too), with the error code reconcile reads for conflicts. */
const entry = (e: Omit<IdMapEntry, 'owner'> & Partial<IdMapEntry> & { errorCode?: string }) => ({ owner: null, ...e });
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
    r.addSource({ legacyId: '9', eligible: false, rules: ['pattern'] });
    const report = finish(r);
    expect(report.agree).toBe(true);
    expect(reconcileExitCode(report)).toBe(0);
    expect(report.counts).toEqual({
      sourceEligible: 3, sourceRejected: 1, sourceRejectedByRule: { pattern: 1 }, ledgerEntries: 4, ledgerMigrated: 3, targetUsers: 4,
      targetWithoutLegacyId: 1, agreeing: 3,
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
    r.addSource({ legacyId: '2', eligible: false, rules: ['required'] });
    expect(r.unselectedMigrated().sort()).toEqual(['3', '4']);
    const report = finish(r, ['3']);
    expect(report.deletedInSource).toEqual([
      { legacyId: '2', dynamicUserId: 'dyn-2', reason: 'rejected', inTarget: true },
      { legacyId: '3', dynamicUserId: 'dyn-3', reason: 'filtered_out', inTarget: true },
      { legacyId: '4', dynamicUserId: 'dyn-4', reason: 'gone', inTarget: true },
    ]);
    expect(report.missing).toEqual([]);
    // Expected absent as a reject, yet in Dynamic: so it is a difference under deletedInSource, and says so here.
    expect(report.expectedAbsent).toEqual([{ legacyId: '2', rules: ['required'], inTarget: true }]);
    expect(reconcileExitCode(report)).toBe(3);
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

  it('expects the rows the mapping rejects (its duplicates policy included) to be absent, and still agrees', () => {
    const r = cleanState(3);
    r.addLedgerEntry({ legacyId: '4', dynamicUserId: null, outcome: 'rejected' });
    r.addLedgerEntry({ legacyId: '5', dynamicUserId: null, outcome: 'rejected' });
    for (const id of ['1', '2', '3']) r.addSource(eligible(id));
    r.addSource({ legacyId: '4', eligible: false, rules: ['duplicate'] });
    r.addSource({ legacyId: '5', eligible: false, rules: ['duplicate_merged'] });
    r.addSource({ legacyId: '6', eligible: false, rules: ['pattern', 'required'] }); // never in the ledger: rejected by a dry run only
    const report = finish(r);
    expect(report.missing).toEqual([]);
    expect(report.expectedAbsent).toEqual([
      { legacyId: '4', rules: ['duplicate'], inTarget: false },
      { legacyId: '5', rules: ['duplicate_merged'], inTarget: false },
      { legacyId: '6', rules: ['pattern', 'required'], inTarget: false },
    ]);
    expect(report.counts).toMatchObject({
      sourceEligible: 3, sourceRejected: 3, sourceRejectedByRule: { duplicate: 1, duplicate_merged: 1, pattern: 1, required: 1 }, agreeing: 3,
    });
    expect(report.agree).toBe(true);
    expect(reconcileExitCode(report)).toBe(0);
    const text = formatReconcileReport(report);
    expect(text).toContain('3 rejected by the mapping (duplicate 1, duplicate_merged 1, pattern 1, required 1)');
    expect(text).toMatch(/^expectedAbsent: 3 .*not a difference/m);
    expect(text).toContain('  6  pattern,required');
    expect(text).not.toMatch(/^missing/m);
    expect(text).toMatch(/agree \(the 3 row\(s\) the mapping rejects are absent, as expected\)$/);
  });

  it('reports a conflict apart, never as missing, and never blames the holder the ledger names', () => {
    const r = cleanState(1);
    // 2's email is held by dyn-1 (legacy user 1's account); 3's by a Dynamic user no job made;
    // 4's holder has been deleted since; 5's conflict comes from before schema 4, no holder known.
    r.addTargetUser({ id: 'native', legacyId: null, fields: fieldsOf('u3@example.com') });
    r.addLedgerEntry(entry({ legacyId: '2', dynamicUserId: 'dyn-1', outcome: 'conflict', owner: 'other', errorCode: 'email_already_exists' }));
    r.addLedgerEntry({ legacyId: '3', dynamicUserId: 'native', outcome: 'conflict', errorCode: 'email_already_exists' });
    r.addLedgerEntry({ legacyId: '4', dynamicUserId: 'gone', outcome: 'conflict', errorCode: 'wallet_held_by_another_user' });
    r.addLedgerEntry({ legacyId: '5', dynamicUserId: null, outcome: 'conflict' });
    for (const id of ['1', '2', '3', '4', '5']) r.addSource(eligible(id, id === '2' ? 'u1@example.com' : undefined));
    const report = finish(r);
    expect(report.missing).toEqual([]);
    expect(report.conflicts).toEqual([
      { legacyId: '2', holderDynamicUserId: 'dyn-1', holderInTarget: true, code: 'email_already_exists' },
      { legacyId: '3', holderDynamicUserId: 'native', holderInTarget: true, code: 'email_already_exists' },
      { legacyId: '4', holderDynamicUserId: 'gone', holderInTarget: false, code: 'wallet_held_by_another_user' },
      { legacyId: '5', holderDynamicUserId: null, holderInTarget: null, code: null },
    ]);
    // dyn-1 is 1's and agrees with 1; the holders are nobody's extra, differing or duplicate user.
    expect(report.differs).toEqual([]);
    expect(report.extra).toEqual([]);
    expect(report.duplicates).toEqual([]);
    // A conflict's id is its holder's: a holder gone from Dynamic is no ledger entry gone missing.
    expect(report.ledgerNotInTarget).toEqual([]);
    expect(report.counts).toMatchObject({ ledgerMigrated: 1, agreeing: 1 });
    // A conflict is a difference: the legacy user is not in Dynamic as theirs.
    expect(report.agree).toBe(false);
    expect(reconcileExitCode(report)).toBe(3);
    const text = formatReconcileReport(report);
    expect(text).toMatch(/^conflicts: 4 .*--upsert/m);
    expect(text).toContain('  2  email_already_exists; held by dyn-1');
    expect(text).toContain('  4  wallet_held_by_another_user; held by gone (no longer listed)');
    expect(text).not.toContain('@example.com');
  });

  it('a conflict whose row the mapping now rejects is expected absent; one whose legacy id a Dynamic user carries is extra', () => {
    const r = new Reconciler();
    r.addLedgerEntry({ legacyId: '1', dynamicUserId: 'holder', outcome: 'conflict', errorCode: 'email_already_exists' });
    r.addLedgerEntry({ legacyId: '2', dynamicUserId: 'holder', outcome: 'conflict', errorCode: 'email_already_exists' });
    r.addTargetUser(target('holder', null));
    r.addTargetUser(target('dyn-2', '2')); // someone put 2 into Dynamic since, not this job
    r.addSource({ legacyId: '1', eligible: false, rules: ['duplicate'] });
    r.addSource(eligible('2'));
    const report = finish(r);
    expect(report.conflicts).toEqual([]);
    expect(report.expectedAbsent).toEqual([{ legacyId: '1', rules: ['duplicate'], inTarget: false }]);
    expect(report.extra).toEqual([{ legacyId: '2', dynamicUserId: 'dyn-2', ledgerOutcome: 'conflict', eligible: true }]);
    expect(report.missing).toEqual([]);
  });

  it('counts already_exists (a user carrying the legacy id, not created by this job) as migrated, rolled_back not', () => {
    const r = new Reconciler();
    r.addLedgerEntry(entry({ legacyId: '1', dynamicUserId: 'dyn-1', outcome: 'already_exists', owner: 'legacy_id' }));
    r.addLedgerEntry(entry({ legacyId: '2', dynamicUserId: 'dyn-2', outcome: 'updated', owner: 'other' }));
    r.addLedgerEntry(entry({ legacyId: '3', dynamicUserId: 'dyn-3', outcome: 'rolled_back', owner: 'job' }));
    r.addLedgerEntry(entry({ legacyId: '4', dynamicUserId: 'dyn-4', outcome: 'rolled_back', owner: 'job' }));
    r.addLedgerEntry(entry({ legacyId: '5', dynamicUserId: 'dyn-5', outcome: 'rolled_back', owner: 'job' }));
    r.addTargetUser(target('dyn-1', '1'));
    r.addTargetUser(target('dyn-2', '2'));
    r.addTargetUser(target('dyn-4', '4')); // its deletion did not happen after all
    for (const id of ['1', '2', '3', '4']) r.addSource(eligible(id)); // 5: gone from the source
    expect(r.unselectedMigrated()).toEqual([]);
    const report = finish(r);
    expect(report.counts).toMatchObject({ ledgerMigrated: 2, agreeing: 3 });
    expect(report.missing).toEqual([{ legacyId: '3', ledgerOutcome: 'rolled_back', dynamicUserId: 'dyn-3' }]);
    expect(report.extra).toEqual([{ legacyId: '4', dynamicUserId: 'dyn-4', ledgerOutcome: 'rolled_back', eligible: true }]);
    // Rolled back on purpose: neither a ledger entry whose user vanished nor a deletion in the source.
    expect(report.ledgerNotInTarget).toEqual([]);
    expect(report.deletedInSource).toEqual([]);
    expect(report.conflicts).toEqual([]);
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
