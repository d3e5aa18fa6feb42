import { describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../../src/checkpoint/index.js';
import type { PlannedBatchInput } from '../../../src/checkpoint/batch-journal.js';
import { allCreated, keys, openStarted, reopen, useTempDir } from './temp-store.js';

const temp = useTempDir();

async function send(store: CheckpointStore, input: Omit<PlannedBatchInput, 'firstKey' | 'lastKey'> & { firstKey?: string; lastKey?: string }): Promise<number> {
  const seq = await store.planBatch({ firstKey: input.sendKeys[0] ?? '', lastKey: input.sendKeys.at(-1) ?? '', ...input });
  await store.markSent(seq);
  return seq;
}

const cursor = async (store: CheckpointStore) => (await store.job())?.cursor;

describe('the cursor and positioned batches', () => {
  // A key range holding users to upsert and users to create is two batches: the first unpositioned.
  it.each([
    ['the unpositioned one first', [0, 1]],
    ['the positioned one first', [1, 0]],
  ])('two batches over one range: the cursor passes it once both settled (%s)', async (_, order) => {
    let store = temp.track(await openStarted(temp.dir()));
    await store.settleBatch(await send(store, { sendKeys: keys(1, 10), upsert: false }), allCreated(keys(1, 10)));
    expect(await cursor(store)).toBe('10');

    const range = { firstKey: '11', lastKey: '20' };
    const upserts = ['11', '13', '20'];
    const creates = keys(11, 10).filter((key) => !upserts.includes(key));
    const pair = [
      { seq: await send(store, { ...range, sendKeys: upserts, upsert: true, positioned: false }), keys: upserts },
      { seq: await send(store, { ...range, sendKeys: creates, upsert: false }), keys: creates },
    ];
    // The range after it settles early: it is not passed either, its batch waits behind the pair.
    await store.settleBatch(await send(store, { sendKeys: keys(21, 10), upsert: false }), allCreated(keys(21, 10)));
    expect(await cursor(store)).toBe('10');

    const [first, second] = order.map((index) => pair[index]!);
    await store.settleBatch(first!.seq, allCreated(first!.keys));
    expect(await cursor(store)).toBe('10');
    store = await reopen(temp, store);
    expect(await cursor(store)).toBe('10');
    await store.settleBatch(second!.seq, allCreated(second!.keys));
    expect(await cursor(store)).toBe('30');
  });

  it('an unpositioned batch settled alone moves nothing, even as the first batch of the job', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    await store.settleBatch(await send(store, { firstKey: '1', lastKey: '10', sendKeys: ['2', '5'], upsert: true, positioned: false }), allCreated(['2', '5']));
    expect(await cursor(store)).toBeNull();
    const seq = await send(store, { firstKey: '1', lastKey: '10', sendKeys: ['1', '3'], upsert: false });
    await store.settleBatch(seq, allCreated(['1', '3']));
    expect(await cursor(store)).toBe('10');
  });

  it.each(['children', 'in_doubt'] as const)('a %s batch never moves the cursor, and blocks it while unsettled', async (pass) => {
    const store = temp.track(await openStarted(temp.dir()));
    // First of the job: its last key is no position at all.
    await store.settleBatch(await send(store, { sendKeys: ['7', '999'], upsert: false, pass }), allCreated(['7', '999']));
    expect(await cursor(store)).toBeNull();

    await store.settleBatch(await send(store, { sendKeys: keys(1, 10), upsert: false }), allCreated(keys(1, 10)));
    expect(await cursor(store)).toBe('10');
    const unordered = await send(store, { sendKeys: ['3', '500'], upsert: false, pass });
    const next = await send(store, { sendKeys: keys(11, 10), upsert: false });
    await store.settleBatch(next, allCreated(keys(11, 10)));
    expect(await cursor(store)).toBe('10');
    await store.settleBatch(unordered, allCreated(['3', '500']));
    expect(await cursor(store)).toBe('20');

    await store.settleBatch(await send(store, { sendKeys: ['8', '900'], upsert: false, pass }), allCreated(['8', '900']));
    expect(await cursor(store)).toBe('20');
  });

  it.each(['children', 'in_doubt'] as const)('a %s batch stays unpositioned even when planned with positioned: true', async (pass) => {
    const store = temp.track(await openStarted(temp.dir()));
    await store.settleBatch(await send(store, { sendKeys: keys(1, 10), upsert: false }), allCreated(keys(1, 10)));
    const seq = await send(store, { sendKeys: ['3', '500'], upsert: false, pass, positioned: true });
    expect((await store.batch(seq))?.positioned).toBe(false);
    await store.settleBatch(seq, allCreated(['3', '500']));
    expect(await cursor(store)).toBe('10');
  });
});
