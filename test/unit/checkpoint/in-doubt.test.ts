import { describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../../src/checkpoint/index.js';
import { allCreated, keys, openStarted, reopen, sendBatch, useTempDir } from './temp-store.js';

const temp = useTempDir();

const sorted = async (store: CheckpointStore) => [...(await store.inDoubtKeys())].sort((a, b) => Number(a) - Number(b));

describe('users in doubt, durably', () => {
  it('keys of an unsettled batch stay in doubt across discard and every reopen, until a settle decides them', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    const settled = await sendBatch(store, keys(1, 3));
    await store.settleBatch(settled, allCreated(keys(1, 3)));
    const lost = await sendBatch(store, keys(4, 3)); // sent, its answer lost
    const planned = await store.planBatch({ firstKey: '7', lastKey: '8', sendKeys: ['7', '8'], upsert: false }); // never sent
    expect(await sorted(store)).toEqual(['4', '5', '6', '7', '8']);

    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['4', '5', '6', '7', '8']);
    await store.discardUnsettled();
    expect(await store.unsettledBatches()).toEqual([]);
    expect(await sorted(store)).toEqual(['4', '5', '6', '7', '8']);
    // A discarded batch is gone: its late answer cannot settle it, and its keys stay in doubt.
    await expect(store.settleBatch(lost, allCreated(keys(4, 3)))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    await expect(store.settleBatch(planned, allCreated(['7', '8']))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });

    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['4', '5', '6', '7', '8']);
    // A second discard (the next run killed before replaying) keeps them too.
    await store.discardUnsettled();
    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['4', '5', '6', '7', '8']);

    // The replay: planned, then killed before its answer; still in doubt, twice over.
    const replay = await store.planBatch({ firstKey: '4', lastKey: '8', sendKeys: ['4', '5', '6', '7', '8'], upsert: false, pass: 'in_doubt' });
    await store.markSent(replay);
    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['4', '5', '6', '7', '8']);
    await store.settleBatch(replay, {
      outcomes: [
        { legacyId: '4', outcome: 'created', dynamicUserId: 'dyn-4', owner: 'job' },
        { legacyId: '5', outcome: 'failed', errorCode: 'internal' },
        { legacyId: '6', outcome: 'conflict', owner: 'other', dynamicUserId: 'dyn-x', errorCode: 'email_already_exists' },
        { legacyId: '7', outcome: 'in_doubt', errorCode: 'no_outcome' },
        { legacyId: '8', outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: 'dyn-8' },
      ],
      rejections: [],
    });
    expect(await sorted(store)).toEqual(['7']);
    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['7']);
    const ledger = await store.ledgerEntries(keys(4, 5));
    expect([...ledger.keys()].sort()).toEqual(['4', '5', '6', '8']);
  });

  it('an in_doubt outcome keeps its key in doubt and out of the ledger; the other keys of the batch leave doubt', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    // Key 2 already has a ledger entry (an earlier failure): a silent answer leaves it as it was.
    await store.settleBatch(await sendBatch(store, ['2']), { outcomes: [{ legacyId: '2', outcome: 'failed', errorCode: 'internal' }], rejections: [] });
    const before = (await store.ledgerEntries(['2'])).get('2');

    const seq = await store.planBatch({ firstKey: '1', lastKey: '4', sendKeys: ['1', '2', '4'], upsert: false });
    await store.markSent(seq);
    await store.settleBatch(seq, {
      outcomes: [
        { legacyId: '1', outcome: 'in_doubt', errorCode: 'no_outcome', errorMessage: 'the response had no outcome for this user' },
        { legacyId: '2', outcome: 'in_doubt', errorCode: 'no_outcome' },
        { legacyId: '4', outcome: 'created', dynamicUserId: 'dyn-4', owner: 'job' },
      ],
      rejections: [{ legacyId: '3', field: 'email', rule: 'pattern', message: 'bad' }],
    });
    expect(await sorted(store)).toEqual(['1', '2']);
    const ledger = await store.ledgerEntries(['1', '2', '3', '4']);
    expect(ledger.has('1')).toBe(false);
    expect(ledger.get('2')).toEqual(before);
    expect(ledger.get('3')).toMatchObject({ outcome: 'rejected' });
    expect(ledger.get('4')).toMatchObject({ outcome: 'created' });

    store = await reopen(temp, store);
    await store.discardUnsettled(); // nothing unsettled: the table keeps its keys
    expect(await sorted(store)).toEqual(['1', '2']);

    // Silent again: still in doubt. Then decided: out of doubt, into the ledger.
    const again = await sendBatch(store, ['1', '2']);
    await store.settleBatch(again, { outcomes: [{ legacyId: '1', outcome: 'in_doubt', errorCode: 'lookup_failed' }, { legacyId: '2', outcome: 'in_doubt', errorCode: 'no_outcome' }], rejections: [] });
    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['1', '2']);
    expect((await store.ledgerEntries(['1'])).size).toBe(0);
    await store.settleBatch(await sendBatch(store, ['1', '2']), allCreated(['1', '2']));
    expect(await sorted(store)).toEqual([]);
    expect((await store.ledgerEntries(['1', '2'])).get('2')).toMatchObject({ outcome: 'created', dynamicUserId: 'dyn-2' });
  });

  it('a row rejected locally on its replay stays in doubt: an earlier attempt of it may be in Dynamic', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    await sendBatch(store, ['1', '2', '3']);
    store = await reopen(temp, store);
    await store.discardUnsettled();
    expect(await sorted(store)).toEqual(['1', '2', '3']);

    // The replay reads the rows again; row 2 no longer maps (its data changed meanwhile).
    const replay = await store.planBatch({ firstKey: '1', lastKey: '3', sendKeys: ['1', '3'], upsert: false, pass: 'in_doubt' });
    await store.markSent(replay);
    await store.settleBatch(replay, {
      outcomes: allCreated(['1']).outcomes,
      rejections: [{ legacyId: '2', field: 'email', rule: 'required', message: 'missing' }],
    });
    // Key 3 had no word at all from this settle: it is not decided, so it stays in doubt; so does 2.
    expect(await sorted(store)).toEqual(['2', '3']);
    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['2', '3']);
    expect((await store.ledgerEntries(['2'])).get('2')).toMatchObject({ outcome: 'rejected', errorCode: 'required' });
  });

  it('a key sent in the batch that the settle says nothing about stays in doubt', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    const seq = await sendBatch(store, ['1', '2', '3']);
    await store.settleBatch(seq, { outcomes: allCreated(['1']).outcomes, rejections: [{ legacyId: '2', field: 'email', rule: 'pattern', message: 'bad' }] });
    store = await reopen(temp, store);
    expect(await sorted(store)).toEqual(['3']);
    expect((await store.ledgerEntries(['3'])).size).toBe(0);
  });
});

describe('the identities of the attempts in doubt', () => {
  const email = (address: string) => ({ key: `email:${address}`, column: 'email' as const, value: address });

  it('go into doubt with their keys, and the identities of every later attempt in doubt are added to them', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    const first = await store.planBatch({ firstKey: '1', lastKey: '2', sendKeys: ['1', '2'], upsert: false, sentIdentities: { 1: [email('a@x.io')], 2: [email('b@x.io')] } });
    await store.markSent(first);
    store = await reopen(temp, store);
    await store.discardUnsettled();
    expect(new Map([...(await store.inDoubtDetails())].map(([key, detail]) => [key, detail.identities]))).toEqual(new Map([['1', [email('a@x.io')]], ['2', [email('b@x.io')]]]));
    // The replay of 1 carries its new email and is lost again (silent answer): both emails stay.
    const replay = await store.planBatch({ firstKey: '1', lastKey: '1', sendKeys: ['1'], upsert: false, pass: 'in_doubt', sentIdentities: { 1: [email('a2@x.io')] } });
    await store.markSent(replay);
    await store.settleBatch(replay, { outcomes: [{ legacyId: '1', outcome: 'in_doubt', errorCode: 'no_outcome' }], rejections: [] });
    store = await reopen(temp, store);
    expect((await store.inDoubtDetails()).get('1')?.identities).toEqual([email('a@x.io'), email('a2@x.io')]);
    // Settled for good: gone with the key.
    const last = await store.planBatch({ firstKey: '1', lastKey: '2', sendKeys: ['1', '2'], upsert: false, pass: 'in_doubt' });
    await store.markSent(last);
    await store.settleBatch(last, allCreated(['1', '2']));
    expect(await store.inDoubtDetails()).toEqual(new Map());
  });
});
