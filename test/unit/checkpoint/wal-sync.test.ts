import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWalSync } from '../../../src/checkpoint/wal-sync.js';
import { keys, openStarted, useTempDir } from './temp-store.js';

const temp = useTempDir();

describe('createWalSync', () => {
  it('resolves when there is no WAL file yet: nothing was written since the last checkpoint', async () => {
    const wal = createWalSync(join(temp.dir(), 'missing.db-wal'));
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
  });

  it('callers arriving while a sync runs share one follow-up sync, which starts after it', async () => {
    const path = join(temp.dir(), 'job.db-wal');
    writeFileSync(path, 'frames');
    const wal = createWalSync(path);
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    await wal.close();
  });
});

describe('CheckpointStore writes', () => {
  it('go to the WAL file the store syncs (SQLite names it <database>-wal)', async () => {
    const dir = temp.dir();
    const store = temp.track(await openStarted(dir));
    await store.planBatch({ firstKey: '1', lastKey: '1', sendKeys: ['1'], upsert: false });
    expect(statSync(join(dir, 'job.db-wal')).size).toBeGreaterThan(0);
  });
});

describe('CheckpointStore.planBatch without waiting for the disk', () => {
  it('journals the batch all the same: markSent and settle work on it', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    const batchKeys = keys(1, 3);
    const seq = await store.planBatch({ firstKey: '1', lastKey: '3', sendKeys: batchKeys, upsert: false }, { durable: false });
    await store.markSent(seq);
    expect(await store.inDoubtKeys()).toEqual(new Set(batchKeys));
    await store.settleBatch(seq, { outcomes: batchKeys.map((legacyId) => ({ legacyId, outcome: 'created' })), rejections: [] });
    expect((await store.job())?.cursor).toBe('3');
  });
});
