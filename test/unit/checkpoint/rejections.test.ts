import { describe, expect, it } from 'vitest';
import type { CheckpointStore, SettledRejection } from '../../../src/checkpoint/index.js';
import { allCreated, collect, keys, openStarted, reopen, useTempDir } from './temp-store.js';

const temp = useTempDir();

const rule = (legacyId: string, field: string, extra: Partial<SettledRejection> = {}): SettledRejection => ({
  legacyId, field, rule: `${field}_rule`, message: `${field} of ${legacyId} is bad`, ...extra,
});

/** Settles one batch over `rangeKeys`: the ids in `rejections` rejected locally, every other one created. */
async function settleRange(store: CheckpointStore, rangeKeys: string[], rejections: SettledRejection[]): Promise<number> {
  const rejected = new Set(rejections.map((r) => r.legacyId));
  const sendKeys = rangeKeys.filter((key) => !rejected.has(key));
  const seq = await store.planBatch({ firstKey: rangeKeys[0] ?? '', lastKey: rangeKeys.at(-1) ?? '', sendKeys, upsert: false });
  await store.markSent(seq);
  await store.settleBatch(seq, { outcomes: allCreated(sendKeys).outcomes, rejections });
  return seq;
}

const unreported = async (store: CheckpointStore) => {
  const { through, rows } = await store.unreportedRejections();
  return { through, rows: await collect(rows) };
};

describe('rejections, for the rejects files', () => {
  it('lists every broken rule right after its settle: legacy-id order, numeric ids numerically, the rules of a row in order', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    expect(await unreported(store)).toEqual({ through: 0, rows: [] });
    const seq = await settleRange(store, ['10', '9', '100', '2', 'abc'], [
      rule('100', 'email', { value: 'j***@x' }),
      rule('abc', 'email'),
      rule('9', 'username'),
      rule('100', 'phone'),
      rule('9', 'email', { value: '' }),
      rule('100', 'country'),
    ]);
    const expected = [
      rule('9', 'username'), rule('9', 'email', { value: '' }),
      rule('100', 'email', { value: 'j***@x' }), rule('100', 'phone'), rule('100', 'country'),
      rule('abc', 'email'),
    ];
    expect(await unreported(store)).toEqual({ through: seq, rows: expected });
    // Written in the settle's transaction: a run killed before its files lists them next time.
    store = await reopen(temp, store);
    expect(await unreported(store)).toEqual({ through: seq, rows: expected });
  });

  it('a later settle of a row replaces its rules; an accepted row loses them', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    await settleRange(store, ['1', '2', '3'], [rule('1', 'email'), rule('1', 'phone'), rule('2', 'email'), rule('3', 'email')]);
    // Replayed: row 1 broke one rule this time, row 2 maps now, row 3 is not in this batch.
    const seq = await settleRange(store, ['1', '2'], [rule('1', 'username')]);
    expect(await unreported(store)).toEqual({ through: seq, rows: [rule('1', 'username'), rule('3', 'email')] });
    expect((await store.ledgerEntries(['2'])).get('2')).toMatchObject({ outcome: 'created' });
  });

  it('markRejectionsReported(through) hides what it covers; rows settled after through still show', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    await settleRange(store, ['1', '2'], [rule('1', 'email')]);
    const first = await unreported(store);
    // The run is still going: it settles another batch after reading the list, before marking it.
    const later = await settleRange(store, ['3', '4'], [rule('4', 'email')]);
    await store.markRejectionsReported(first.through);
    expect(await unreported(store)).toEqual({ through: later, rows: [rule('4', 'email')] });

    store = await reopen(temp, store);
    expect(await unreported(store)).toEqual({ through: later, rows: [rule('4', 'email')] });
    await store.markRejectionsReported(later);
    expect((await unreported(store)).rows).toEqual([]);
    // Marking an older seq never brings them back.
    await store.markRejectionsReported(first.through);
    expect((await unreported(store)).rows).toEqual([]);
    // A row rejected again is listed again: the next run's files say it is still broken.
    await settleRange(store, ['1'], [rule('1', 'phone')]);
    expect((await unreported(store)).rows).toEqual([rule('1', 'phone')]);
  });

  it('pages through more than a thousand rows, a row\'s rules split across pages kept in order', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const fields = ['email', 'phone', 'username'];
    // Row n breaks 1 to 3 rules: 1200 rows, 2400 rules, page edges falling inside rows.
    const rulesOf = (n: number) => fields.slice(0, (n % 3) + 1).map((field) => rule(String(n), field));
    for (let first = 1; first <= 1200; first += 200) {
      const range = keys(first, 200);
      await settleRange(store, range, range.flatMap((key) => rulesOf(Number(key))));
    }
    const { rows } = await unreported(store);
    expect(rows.length).toBe(2400);
    expect(rows).toEqual(keys(1, 1200).flatMap((key) => rulesOf(Number(key))));
  });
});
