import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, type SettledOutcome } from '../../../src/checkpoint/index.js';
import { allCreated, collect, FINGERPRINT, keys, openStarted, sendBatch, useTempDir } from './temp-store.js';

const temp = useTempDir();

describe('CheckpointStore cursor', () => {
  it('advances only over the contiguous settled prefix when batches settle out of order', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const batches = [keys(1, 50), keys(51, 50), keys(101, 50)];
    const [one, two, three] = await Promise.all(batches.map((batchKeys) => sendBatch(store, batchKeys)));

    await store.settleBatch(two!, allCreated(batches[1]!));
    expect((await store.job())?.cursor).toBeNull();
    await store.settleBatch(three!, allCreated(batches[2]!));
    expect((await store.job())?.cursor).toBeNull();
    expect((await store.unsettledBatches()).map((batch) => batch.seq)).toEqual([one]);

    await store.settleBatch(one!, allCreated(batches[0]!));
    expect((await store.job())?.cursor).toBe('150');
    expect(await store.unsettledBatches()).toEqual([]);
  });

  it('moves batch by batch when they settle in order, and counts keys rejected locally in the range', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const first = await store.planBatch({ firstKey: '1', lastKey: '5', sendKeys: ['1', '2', '4', '5'], upsert: false });
    await store.settleBatch(first, {
      outcomes: allCreated(['1', '2', '4', '5']).outcomes,
      rejections: [{ legacyId: '3', field: 'email', rule: 'pattern', message: 'does not match email pattern', value: 'j***@x' }],
    });
    expect((await store.job())?.cursor).toBe('5');
    const second = await sendBatch(store, keys(6, 5));
    await store.settleBatch(second, allCreated(keys(6, 5)));
    expect((await store.job())?.cursor).toBe('10');

    const status = await store.status();
    expect(status.counts).toEqual({ created: 9, updated: 0, already_exists: 0, conflict: 0, failed: 0, rejected: 1, rolled_back: 0 });
    expect(status.total).toBe(10);
    expect(status.batches).toEqual({ planned: 0, sent: 0, settled: 2 });
    const rejected = (await store.ledgerEntries(['3'])).get('3');
    expect(rejected).toMatchObject({ outcome: 'rejected', errorCode: 'pattern', errorMessage: 'email: does not match email pattern' });
  });

  it('a resumed run re-plans in-doubt keys without the cursor jumping over them', async () => {
    const dir = temp.dir();
    let store = await openStarted(dir);
    const [one, two] = [await sendBatch(store, keys(1, 3)), await sendBatch(store, keys(4, 3))];
    await store.settleBatch(two, allCreated(keys(4, 3)));
    await store.close(); // the crash: batch `one` was sent, its answer lost

    store = temp.track(await CheckpointStore.open(join(dir, 'job.db'), { create: false }));
    expect([...(await store.inDoubtKeys())]).toEqual(['1', '2', '3']);
    expect((await store.unsettledBatches())[0]).toMatchObject({ seq: one, state: 'sent', attempts: 1, upsert: false });
    await store.discardUnsettled();
    expect(await store.unsettledBatches()).toEqual([]);
    expect((await store.job())?.cursor).toBeNull();
    // The resumed run reads from the cursor, skips what the ledger knows, replays the rest with upsert.
    const known = await store.ledgerEntries(keys(1, 6));
    expect([...known.keys()].sort()).toEqual(['4', '5', '6']);
    const replay = await sendBatch(store, ['1', '2', '3'], true);
    expect(replay).toBeGreaterThan(two);
    const next = await store.planBatch({ firstKey: '7', lastKey: '9', sendKeys: keys(7, 3), upsert: false });
    await store.settleBatch(next, allCreated(keys(7, 3)));
    expect((await store.job())?.cursor).toBeNull();
    await store.settleBatch(replay, {
      outcomes: ['1', '2', '3'].map((legacyId) => ({ legacyId, outcome: 'updated' as const, dynamicUserId: `dyn-${legacyId}` })),
      rejections: [],
    });
    expect((await store.job())?.cursor).toBe('9');
    expect((await store.status()).total).toBe(9);
  });

  it('refuses to settle a batch twice or to send a settled one', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const seq = await sendBatch(store, ['1']);
    await store.settleBatch(seq, allCreated(['1']));
    await expect(store.settleBatch(seq, allCreated(['1']))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    await expect(store.markSent(seq)).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    await expect(store.settleBatch(999, allCreated(['1']))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
  });
});

describe('CheckpointStore settle', () => {
  it('is atomic: a failure inside the transaction leaves no trace of the batch', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const earlier = await sendBatch(store, ['7']);
    await store.settleBatch(earlier, { outcomes: [{ legacyId: '7', outcome: 'failed', errorCode: 'boom' }], rejections: [] });

    const batchKeys = keys(101, 150);
    const seq = await sendBatch(store, batchKeys);
    // 150 outcomes: the first 100 rows are written by one INSERT before the second one hits the CHECK.
    const outcomes: SettledOutcome[] = allCreated(batchKeys).outcomes;
    outcomes.push({ legacyId: 'x', outcome: 'bogus' as unknown as SettledOutcome['outcome'] });
    await expect(
      store.settleBatch(seq, { outcomes, rejections: [{ legacyId: '0', field: 'email', rule: 'pattern', message: 'bad' }] }),
    ).rejects.toThrow(/CHECK constraint failed/);

    expect((await store.batch(seq))?.state).toBe('sent');
    expect((await store.ledgerEntries([...batchKeys, '0', 'x'])).size).toBe(0);
    expect((await store.ledgerEntries(['7'])).get('7')).toMatchObject({ outcome: 'failed', errorCode: 'boom' });
    expect((await store.job())?.cursor).toBe('7');
    // The store is still usable, and the same batch settles properly afterwards.
    await store.settleBatch(seq, allCreated(batchKeys));
    expect((await store.job())?.cursor).toBe('250');
  });

  it('a later success replaces an earlier failure; a later failure never erases a success or its id', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const settle = async (outcome: SettledOutcome) => store.settleBatch(await sendBatch(store, [outcome.legacyId]), { outcomes: [outcome], rejections: [] });

    await settle({ legacyId: '1', outcome: 'failed', errorCode: 'username_already_exists', errorMessage: 'taken' });
    await settle({ legacyId: '1', outcome: 'created', dynamicUserId: 'dyn-1', payloadHash: 'h1' });
    expect((await store.ledgerEntries(['1'])).get('1')).toMatchObject({
      outcome: 'created', dynamicUserId: 'dyn-1', payloadHash: 'h1', errorCode: null, errorMessage: null,
    });

    await settle({ legacyId: '1', outcome: 'failed', errorCode: 'internal', errorMessage: 'oops' });
    expect((await store.ledgerEntries(['1'])).get('1')).toMatchObject({ outcome: 'created', dynamicUserId: 'dyn-1', errorCode: null });

    await settle({ legacyId: '1', outcome: 'already_exists', errorCode: 'email_already_exists' });
    const entry = (await store.ledgerEntries(['1'])).get('1');
    expect(entry).toMatchObject({ outcome: 'already_exists', dynamicUserId: 'dyn-1', payloadHash: 'h1' });

    await store.settleBatch(await sendBatch(store, ['2']), {
      outcomes: [],
      rejections: [{ legacyId: '1', field: 'email', rule: 'pattern', message: 'bad' }],
    });
    expect((await store.ledgerEntries(['1'])).get('1')?.outcome).toBe('already_exists');
  });

  it('keeps the first-seen time and masks emails quoted in API error messages', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const store = temp.track(await CheckpointStore.open(join(temp.dir(), 'job.db'), { create: true, now: () => new Date(clock) }));
    await store.startJob('job', FINGERPRINT);
    await store.settleBatch(await sendBatch(store, ['1']), {
      outcomes: [{ legacyId: '1', outcome: 'failed', errorCode: 'email_taken', errorMessage: 'Email Jane.Doe@Example.com is taken' }],
      rejections: [],
    });
    clock += 60_000;
    await store.settleBatch(await sendBatch(store, ['1']), allCreated(['1']));
    const failed = (await store.ledgerEntries(['1'])).get('1');
    expect(failed).toMatchObject({ firstSeenAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:01:00.000Z' });
    await store.settleBatch(await sendBatch(store, ['2']), {
      outcomes: [{ legacyId: '2', outcome: 'failed', errorMessage: 'Email Jane.Doe@Example.com is taken' }],
      rejections: [],
    });
    expect((await store.ledgerEntries(['2'])).get('2')?.errorMessage).toBe('Email J…m (20 chars) is taken');
  });
});

describe('CheckpointStore persistence', () => {
  it('a reopened store sees the job, cursor, journal and ledger', async () => {
    const dir = temp.dir();
    const store = await openStarted(dir);
    await store.recordRunStart();
    const settled = await sendBatch(store, keys(1, 2));
    await store.settleBatch(settled, allCreated(keys(1, 2)));
    const planned = await store.planBatch({ firstKey: '3', lastKey: '4', sendKeys: ['3', '4'], upsert: true });
    await store.recordRunEnd();
    await store.close();

    const reopened = temp.track(await CheckpointStore.open(join(dir, 'job.db'), { create: false }));
    const job = await reopened.job();
    expect(job).toMatchObject({ name: 'job', fingerprint: FINGERPRINT, cursor: '2' });
    expect(job?.lastRunStartedAt).not.toBeNull();
    expect(job?.lastRunFinishedAt).not.toBeNull();
    expect(reopened.fingerprintDifferences(FINGERPRINT)).toEqual([]);
    expect(await reopened.unsettledBatches()).toMatchObject([{ seq: planned, state: 'planned', upsert: true, legacyIds: ['3', '4'] }]);
    expect((await reopened.ledgerEntries(['1', '2'])).get('2')).toMatchObject({ outcome: 'created', dynamicUserId: 'dyn-2' });
  });

  it('startJob refuses a checkpoint of another job and needs to come before planning', async () => {
    const store = temp.track(await CheckpointStore.open(join(temp.dir(), 'a.db'), { create: true }));
    expect(await store.job()).toBeUndefined();
    expect(store.fingerprintDifferences(FINGERPRINT)).toEqual([]);
    await expect(store.planBatch({ firstKey: '1', lastKey: '1', sendKeys: ['1'], upsert: false })).rejects.toMatchObject({
      code: 'checkpoint_no_job',
    });
    await store.startJob('a', FINGERPRINT);
    await expect(store.startJob('b', FINGERPRINT)).rejects.toMatchObject({ code: 'checkpoint_job_mismatch' });
    const changed = { ...FINGERPRINT, mappingHash: 'ffffffffffffffffff' };
    expect(store.fingerprintDifferences(changed)).toEqual(['mapping changed (hash a1b2c3d4e5f6 → ffffffffffff)']);
    expect((await store.startJob('a', changed)).fingerprint).toEqual(changed);
    expect(store.fingerprintDifferences(changed)).toEqual([]);
  });
});

describe('CheckpointStore idMap', () => {
  it('streams every entry in legacy-id order, numeric ids numerically, across pages', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const ids = ['10', '9', '100', '2', '1'];
    await store.settleBatch(await sendBatch(store, ids), {
      outcomes: ids.map((legacyId) => ({ legacyId, outcome: 'created' as const, dynamicUserId: `dyn-${legacyId}` })),
      rejections: [{ legacyId: '3', field: 'username', rule: 'pattern', message: 'bad' }],
    });
    const entries = [];
    for await (const entry of store.idMap({ pageSize: 2 })) entries.push(entry);
    expect(entries.map((entry) => entry.legacyId)).toEqual(['1', '2', '3', '9', '10', '100']);
    expect(entries[2]).toEqual({ legacyId: '3', dynamicUserId: null, outcome: 'rejected', owner: null });
    expect(entries[5]).toMatchObject({ legacyId: '100', dynamicUserId: 'dyn-100', outcome: 'created' });

    const rejections = [];
    for await (const rejection of store.rejections()) rejections.push(rejection);
    expect(rejections).toEqual([{ legacyId: '3', rule: 'pattern', message: 'username: bad' }]);
  });

  it('pages through thousands of entries in order', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    for (let first = 1; first <= 2500; first += 50) {
      await store.settleBatch(await sendBatch(store, keys(first, 50)), allCreated(keys(first, 50)));
    }
    let expected = 1;
    for await (const entry of store.idMap({ pageSize: 300 })) {
      expect(entry.legacyId).toBe(String(expected));
      expected += 1;
    }
    expect(expected).toBe(2501);
    expect((await store.job())?.cursor).toBe('2500');
    // Batches the cursor passed keep their row but drop their key list.
    expect((await store.batch(1))?.legacyIds).toEqual([]);
  });
});

describe('CheckpointStore owners and rollback', () => {
  it('after a rollback, a user found later under the legacy id is not the job\'s to delete', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const settle = async (outcome: SettledOutcome) => store.settleBatch(await sendBatch(store, [outcome.legacyId]), { outcomes: [outcome], rejections: [] });
    await settle({ legacyId: '1', outcome: 'created', owner: 'job', dynamicUserId: 'dyn-1' });
    await settle({ legacyId: '1', outcome: 'updated', owner: 'legacy_id', dynamicUserId: 'dyn-1' });
    const toDelete = async () => (await collect(store.ledgerByOutcome(['created', 'updated', 'already_exists'], { owner: 'job' }))).map((e) => e.legacyId);
    expect(await toDelete()).toEqual(['1']);
    expect(await store.markRolledBack('1')).toBe(true);
    expect(await toDelete()).toEqual([]);

    // The next run finds a Dynamic user carrying legacy id 1 that it did not create.
    await settle({ legacyId: '1', outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: 'dyn-someone' });
    expect((await store.ledgerEntries(['1'])).get('1')).toMatchObject({ outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: 'dyn-someone' });
    expect(await toDelete()).toEqual([]);
    expect(await store.markRolledBack('1')).toBe(false);
  });
});
