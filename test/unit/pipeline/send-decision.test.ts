import { describe, expect, it } from 'vitest';
import type { LedgerView } from '../../../src/pipeline/journal.js';
import { decideSend, type SendContext } from '../../../src/pipeline/send-decision.js';

const ctx = (over: Partial<SendContext> = {}): SendContext => ({
  incremental: true, upsert: false, resendUnchanged: false, inDoubt: false, payloadHash: 'p2', identityHash: 'i1', ...over,
});
const known = (over: Partial<LedgerView>): LedgerView => ({
  outcome: 'created', inDynamic: true, owner: 'job', dynamicUserId: 'dyn-1', payloadHash: 'p1', identityHash: 'i1', ...over,
});

describe('decideSend: upsert only into a Dynamic user known to be ours', () => {
  it('a new or failed user goes without upsert; so does one in doubt, flagged for look-up', () => {
    expect(decideSend(undefined, ctx())).toEqual({ action: 'send', mode: 'create', inDoubt: false, guard: false });
    expect(decideSend(known({ outcome: 'failed', inDynamic: false, owner: null }), ctx())).toMatchObject({ action: 'send', mode: 'create' });
    expect(decideSend(known({}), ctx({ inDoubt: true }))).toEqual({ action: 'send', mode: 'create', inDoubt: true, guard: false });
    expect(decideSend(known({ outcome: 'rolled_back', inDynamic: false }), ctx())).toMatchObject({ mode: 'create' });
  });

  it('ours (created by the job, or carrying the legacy id) and changed: upsert, looked up first when its identities changed', () => {
    expect(decideSend(known({}), ctx())).toEqual({ action: 'send', mode: 'upsert', inDoubt: false, guard: false });
    expect(decideSend(known({ outcome: 'already_exists', owner: 'legacy_id' }), ctx())).toMatchObject({ mode: 'upsert', guard: false });
    expect(decideSend(known({}), ctx({ identityHash: 'i2' }))).toMatchObject({ mode: 'upsert', guard: true });
  });

  it("someone else's stays a conflict however its row changes; so does one of unknown owner", () => {
    expect(decideSend(known({ outcome: 'conflict', inDynamic: false, owner: 'other' }), ctx())).toEqual({ action: 'conflict' });
    expect(decideSend(known({ outcome: 'updated', owner: 'other' }), ctx())).toEqual({ action: 'conflict' });
    expect(decideSend(known({ outcome: 'updated', owner: null }), ctx())).toEqual({ action: 'conflict' });
  });

  it("an unchanged payload is not sent, unless asked; --upsert upserts everyone, the operator's choice", () => {
    expect(decideSend(known({}), ctx({ payloadHash: 'p1' }))).toEqual({ action: 'unchanged' });
    expect(decideSend(known({}), ctx({ payloadHash: 'p1', resendUnchanged: true }))).toMatchObject({ mode: 'upsert' });
    expect(decideSend(known({ outcome: 'conflict', inDynamic: false, owner: 'other' }), ctx({ upsert: true }))).toMatchObject({ mode: 'upsert', guard: false });
    expect(decideSend(undefined, ctx({ upsert: true, incremental: false }))).toMatchObject({ mode: 'upsert' });
  });

  it('in the full pass the ledger holds interrupted attempts, not earlier sends: never an upsert without --upsert', () => {
    expect(decideSend(known({}), ctx({ incremental: false }))).toMatchObject({ mode: 'create' });
  });
});
