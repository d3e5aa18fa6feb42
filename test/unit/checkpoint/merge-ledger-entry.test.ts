import { describe, expect, it } from 'vitest';
import { sortKey } from '../../../src/checkpoint/checkpoint-schema.js';
import type { LedgerEntry } from '../../../src/checkpoint/index.js';
import { mergeLedgerEntry, type IncomingOutcome } from '../../../src/checkpoint/merge-ledger-entry.js';
import { scrubMessage } from '../../../src/checkpoint/scrub-message.js';

const context = { batchSeq: 9, now: '2030-01-02T00:00:00.000Z' };
const existing: LedgerEntry = {
  legacyId: '1', dynamicUserId: 'dyn-1', outcome: 'created', payloadHash: 'h1', errorCode: null, errorMessage: null,
  batchSeq: 3, firstSeenAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z', owner: 'job', identityHash: 'i1',
};
const incoming = (outcome: IncomingOutcome['outcome'], extra: Partial<IncomingOutcome> = {}): IncomingOutcome => ({
  legacyId: '1', outcome, dynamicUserId: null, payloadHash: null, errorCode: null, errorMessage: null, ...extra,
});

describe('mergeLedgerEntry', () => {
  it('a first outcome becomes the entry', () => {
    expect(mergeLedgerEntry(undefined, incoming('failed', { errorCode: 'x' }), context)).toMatchObject({
      outcome: 'failed', errorCode: 'x', batchSeq: 9, firstSeenAt: context.now,
    });
  });

  it.each(['failed', 'rejected', 'conflict'] as const)('a later %s leaves a success as it was', (outcome) => {
    expect(mergeLedgerEntry(existing, incoming(outcome, { errorCode: 'e' }), context)).toBe(existing);
  });

  it('a later success without an id keeps the known id and hash', () => {
    expect(mergeLedgerEntry(existing, incoming('updated'), context)).toMatchObject({
      outcome: 'updated', dynamicUserId: 'dyn-1', payloadHash: 'h1', batchSeq: 9, firstSeenAt: existing.firstSeenAt,
    });
  });

  it('a user this job created stays its own whatever later sends say, so rollback finds it', () => {
    expect(mergeLedgerEntry(existing, incoming('updated', { owner: 'other' }), context)).toMatchObject({ outcome: 'updated', owner: 'job', identityHash: 'i1' });
    const foreign: LedgerEntry = { ...existing, outcome: 'conflict', owner: 'other', dynamicUserId: 'dyn-x' };
    expect(mergeLedgerEntry(foreign, incoming('created', { owner: 'job', dynamicUserId: 'dyn-2' }), context)).toMatchObject({ outcome: 'created', owner: 'job', dynamicUserId: 'dyn-2' });
  });

  it('a created user stays owner job through every later update, whatever owner those say', () => {
    let entry = existing;
    for (const [outcome, owner] of [['updated', 'other'], ['updated', undefined], ['already_exists', 'legacy_id'], ['updated', 'legacy_id']] as const) {
      entry = mergeLedgerEntry(entry, incoming(outcome, owner ? { owner } : {}), context);
      expect(entry).toMatchObject({ outcome, owner: 'job', dynamicUserId: 'dyn-1', firstSeenAt: existing.firstSeenAt });
    }
  });

  it.each([
    ['created', 'job'],
    ['updated', 'legacy_id'],
    ['already_exists', 'legacy_id'],
  ] as const)('a conflict never replaces a success (%s, owner %s)', (outcome, owner) => {
    const success: LedgerEntry = { ...existing, outcome, owner };
    const clash = incoming('conflict', { owner: 'other', dynamicUserId: 'dyn-someone', errorCode: 'email_already_exists', errorMessage: 'taken' });
    expect(mergeLedgerEntry(success, clash, context)).toBe(success);
  });

  it('a conflict replaces a failure, and a later success replaces the conflict', () => {
    const failed: LedgerEntry = { ...existing, outcome: 'failed', owner: null, dynamicUserId: null, errorCode: 'internal' };
    const conflict = mergeLedgerEntry(failed, incoming('conflict', { owner: 'other', dynamicUserId: 'dyn-someone', errorCode: 'email_already_exists' }), context);
    expect(conflict).toMatchObject({ outcome: 'conflict', owner: 'other', dynamicUserId: 'dyn-someone', errorCode: 'email_already_exists' });
    expect(mergeLedgerEntry(conflict, incoming('updated', { owner: 'other', dynamicUserId: 'dyn-someone' }), context)).toMatchObject({
      outcome: 'updated', owner: 'other', errorCode: null,
    });
  });

  it('a created outcome after rolled_back: this job\'s again, with the new Dynamic user', () => {
    const rolledBack: LedgerEntry = { ...existing, outcome: 'rolled_back' };
    expect(mergeLedgerEntry(rolledBack, incoming('created', { owner: 'job', dynamicUserId: 'dyn-new', payloadHash: 'h2' }), context)).toEqual({
      ...existing, outcome: 'created', owner: 'job', dynamicUserId: 'dyn-new', payloadHash: 'h2', batchSeq: 9, updatedAt: context.now,
    });
  });

  it.each([
    ['already_exists', 'legacy_id'], // found carrying its legacy id, not created by this job
    ['conflict', 'other'],
    ['updated', 'other'], // with --upsert, into whoever holds its email now
  ] as const)('after rolled_back, a later %s is not the job\'s: rollback must never delete it', (outcome, owner) => {
    const rolledBack: LedgerEntry = { ...existing, outcome: 'rolled_back' };
    expect(mergeLedgerEntry(rolledBack, incoming(outcome, { owner, dynamicUserId: 'dyn-someone' }), context)).toMatchObject({
      outcome, owner, dynamicUserId: 'dyn-someone',
    });
    // Nor after a failure in between.
    const failedSince = mergeLedgerEntry(rolledBack, incoming('failed', { errorCode: 'internal' }), context);
    expect(mergeLedgerEntry(failedSince, incoming(outcome, { owner, dynamicUserId: 'dyn-someone' }), context)).toMatchObject({ outcome, owner });
  });

  it('a later success clears the failure it replaces', () => {
    const failed: LedgerEntry = { ...existing, outcome: 'failed', dynamicUserId: null, errorCode: 'e', errorMessage: 'm' };
    expect(mergeLedgerEntry(failed, incoming('created', { dynamicUserId: 'dyn-9' }), context)).toMatchObject({
      outcome: 'created', dynamicUserId: 'dyn-9', errorCode: null, errorMessage: null, updatedAt: context.now,
    });
  });
});

describe('sortKey', () => {
  it('orders canonical integers numerically and everything else after them by code point', () => {
    const ids = ['b', '10', '0', 'a', '9', '007', '-1', '100'];
    expect([...ids].sort((left, right) => (sortKey(left) < sortKey(right) ? -1 : 1))).toEqual([
      '0', '9', '10', '100', '-1', '007', 'a', 'b',
    ]);
  });
});

describe('scrubMessage', () => {
  it('masks email addresses and caps the length', () => {
    expect(scrubMessage('user jane@example.org exists')).toBe('user j…g (16 chars) exists');
    expect(scrubMessage('')).toBeNull();
    expect(scrubMessage('x'.repeat(2000))?.length).toBe(500);
  });
});

describe('mergeLedgerEntry: whose user it is', () => {
  it('an outcome about another Dynamic user (an --upsert that reached someone else) is not the job\'s', () => {
    expect(mergeLedgerEntry(existing, incoming('updated', { owner: 'other', dynamicUserId: 'dyn-someone-else' }), context))
      .toMatchObject({ outcome: 'updated', dynamicUserId: 'dyn-someone-else', owner: 'other' });
    expect(mergeLedgerEntry(existing, incoming('updated', { owner: 'other', dynamicUserId: 'dyn-1' }), context)).toMatchObject({ owner: 'job' });
  });
});
