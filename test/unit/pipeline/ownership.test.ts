import { describe, expect, it } from 'vitest';
import type { LedgerView } from '../../../src/pipeline/journal.js';
import { CLOCK_SKEW_MS, ownerOfFound } from '../../../src/pipeline/ownership.js';

const STARTED = Date.parse('2030-01-01T12:00:00Z');
const at = (ms: number) => new Date(STARTED + ms).toISOString();
const found = (createdAt?: string) => ({ dynamicUserId: 'dyn-1', ...(createdAt ? { createdAt } : {}) });
const known = (view: Partial<LedgerView>): LedgerView => ({ outcome: 'created', inDynamic: true, owner: 'job', dynamicUserId: 'dyn-1', payloadHash: 'h', identityHash: 'i', ...view });

describe('ownerOfFound: whose a Dynamic user carrying the legacy id is', () => {
  it('the job\'s own when an attempt of it may have made it and Dynamic made it after the job started', () => {
    expect(ownerOfFound(found(at(5_000)), { maybeOurs: true, known: undefined, jobStartedAt: STARTED })).toBe('job');
    expect(ownerOfFound(found(at(-CLOCK_SKEW_MS + 1)), { maybeOurs: true, known: undefined, jobStartedAt: STARTED })).toBe('job'); // within the clocks' skew
  });

  it('never the job\'s when it was there before the job, whatever its metadata says, nor when no attempt could have made it', () => {
    expect(ownerOfFound(found(at(-10 * 60_000)), { maybeOurs: true, known: undefined, jobStartedAt: STARTED })).toBe('legacy_id');
    expect(ownerOfFound(found(at(5_000)), { maybeOurs: false, known: undefined, jobStartedAt: STARTED })).toBe('legacy_id');
    expect(ownerOfFound(found(), { maybeOurs: true, known: undefined, jobStartedAt: STARTED })).toBe('legacy_id'); // no createdAt: cannot tell
    expect(ownerOfFound(found(at(5_000)), { maybeOurs: true, known: undefined, jobStartedAt: undefined })).toBe('legacy_id');
  });

  it('what the ledger knows wins: the job\'s own stays so; one recorded as another\'s never becomes the job\'s', () => {
    expect(ownerOfFound(found(at(-10 * 60_000)), { maybeOurs: false, known: known({}), jobStartedAt: STARTED })).toBe('job');
    expect(ownerOfFound(found(at(5_000)), { maybeOurs: true, known: known({ outcome: 'already_exists', owner: 'legacy_id' }), jobStartedAt: STARTED })).toBe('legacy_id');
    // The job's own was another Dynamic user: this one is not vouched for by the ledger.
    expect(ownerOfFound({ dynamicUserId: 'dyn-2', createdAt: at(-10 * 60_000) }, { maybeOurs: false, known: known({}), jobStartedAt: STARTED })).toBe('legacy_id');
  });

  it('an entry of before schema 4, of unknown owner, is the job\'s only if Dynamic made it after the job started; else unknown', () => {
    const old = known({ outcome: 'updated', owner: null });
    expect(ownerOfFound(found(at(5_000)), { maybeOurs: false, known: old, jobStartedAt: STARTED })).toBe('job');
    expect(ownerOfFound(found(at(-10 * 60_000)), { maybeOurs: false, known: old, jobStartedAt: STARTED })).toBe('unknown');
  });
});
