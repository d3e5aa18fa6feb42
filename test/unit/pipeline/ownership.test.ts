import { describe, expect, it } from 'vitest';
import type { LedgerView } from '../../../src/pipeline/journal.js';
import { CLOCK_SKEW_MS, ownerOfFound } from '../../../src/pipeline/ownership.js';

const SENT = Date.parse('2030-01-01T12:00:00Z');
const at = (ms: number) => new Date(SENT + ms).toISOString();
const found = (createdAt?: string, dynamicUserId = 'dyn-1') => ({ dynamicUserId, ...(createdAt ? { createdAt } : {}) });
const known = (view: Partial<LedgerView>): LedgerView => ({ outcome: 'created', inDynamic: true, owner: 'job', dynamicUserId: 'dyn-1', payloadHash: 'h', identityHash: 'i', ...view });

describe('ownerOfFound: whose a Dynamic user carrying the legacy id is', () => {
  it('the job\'s own when Dynamic made it after an attempt of ours that may have landed went out', () => {
    expect(ownerOfFound(found(at(800)), { attemptSince: SENT, known: undefined })).toBe('job');
    expect(ownerOfFound(found(at(-CLOCK_SKEW_MS + 1)), { attemptSince: SENT, known: undefined })).toBe('job'); // within the clocks' skew
  });

  it('never the job\'s when it was there before that attempt, whatever its metadata says, nor when no attempt could have made it', () => {
    expect(ownerOfFound(found(at(-10 * 60_000)), { attemptSince: SENT, known: undefined })).toBe('legacy_id');
    expect(ownerOfFound(found(at(800)), { attemptSince: undefined, known: undefined })).toBe('legacy_id');
    expect(ownerOfFound(found(), { attemptSince: SENT, known: undefined })).toBe('legacy_id'); // no createdAt: cannot tell
  });

  it('the ledger\'s word on that very user comes first', () => {
    expect(ownerOfFound(found(at(-10 * 60_000)), { attemptSince: undefined, known: known({}) })).toBe('job');
    expect(ownerOfFound(found(at(800)), { attemptSince: SENT, known: known({ outcome: 'already_exists', owner: 'legacy_id' }) })).toBe('legacy_id');
    // Someone else's (a conflict, an --upsert merge): never ours, whenever Dynamic made it.
    expect(ownerOfFound(found(at(800)), { attemptSince: SENT, known: known({ outcome: 'conflict', inDynamic: false, owner: 'other' }) })).toBe('unknown');
    expect(ownerOfFound(found(at(800)), { attemptSince: SENT, known: known({ outcome: 'updated', owner: 'other' }) })).toBe('unknown');
    // Recorded without an owner before schema 4: maybe a merge of old.
    expect(ownerOfFound(found(at(800)), { attemptSince: SENT, known: known({ outcome: 'updated', owner: null }) })).toBe('unknown');
  });

  it('about another Dynamic user than the ledger\'s, the ledger says nothing: the attempt\'s time decides', () => {
    const ours = known({ outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: 'dyn-old' });
    expect(ownerOfFound(found(at(800), 'dyn-new'), { attemptSince: SENT, known: ours })).toBe('job');
    expect(ownerOfFound(found(at(-10 * 60_000), 'dyn-new'), { attemptSince: SENT, known: ours })).toBe('legacy_id');
  });
});
