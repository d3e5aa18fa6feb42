// Scopes over one SQLite backend: a store reaches the batches of its own scope only, an in-doubt
// key belongs to the scope that last left it in doubt, and stores may share a backend they do not own.
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, type StateBackend } from '../../../src/checkpoint/index.js';
import { addInDoubt, readInDoubt } from '../../../src/checkpoint/in-doubt.js';
import { openDatabase } from '../../../src/checkpoint/open-database.js';
import { sqliteStateSql } from '../../../src/checkpoint/state-sql.js';
import { allCreated, FINGERPRINT, sendBatch, useTempDir } from './temp-store.js';

const temp = useTempDir();

/** An SQLite backend that counts its closes, with the raw handle for planting rows. */
async function countingBackend(): Promise<StateBackend & { raw: Database.Database; closes: number }> {
  const handle = await openDatabase(join(temp.dir(), 'job.db'), { create: true });
  const backend = {
    raw: handle.raw,
    closes: 0,
    sql: sqliteStateSql(handle.raw),
    label: 'job.db',
    durable: async () => {},
    sendJournal: () => {
      throw new Error('no send journal in this test');
    },
    async close() {
      backend.closes += 1;
      if (backend.closes === 1) await handle.db.destroy();
    },
  };
  return backend;
}

describe('checkpoint scopes', () => {
  it('refuses to mark sent, settle or show a batch of another scope, and writes nothing', async () => {
    const backend = await countingBackend();
    const store = temp.track(await CheckpointStore.over(backend, { scope: 1 }));
    await store.startJob('job', FINGERPRINT);
    const seq = await sendBatch(store, ['1', '2']);
    // Another scope's batch (the embedded file has one job row, so it is planted).
    backend.raw.prepare('update batches set scope = 2 where seq = ?').run(seq);

    await expect(store.markSent(seq)).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    await expect(store.settleBatch(seq, allCreated(['1', '2']))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    expect(await store.batch(seq)).toBeUndefined();
    expect(backend.raw.prepare('select state, attempts from batches where seq = ?').get(seq)).toEqual({ state: 'sent', attempts: 1 });
    expect((await store.ledgerEntries(['1', '2'])).size).toBe(0);
    expect((await store.job())?.cursor).toBeNull();
  });

  it('moves a key in doubt to the scope that left it in doubt last', async () => {
    const backend = await countingBackend();
    const since = '2024-01-01T00:00:00.000Z';
    await backend.sql.transaction((tx) => addInDoubt(tx, 1, [{ legacyId: '7', reason: 'unanswered', since }]));
    await backend.sql.transaction((tx) => addInDoubt(tx, 2, [{ legacyId: '7', reason: 'no_outcome', since }]));
    expect(await readInDoubt(backend.sql, 1)).toEqual([]);
    expect(await readInDoubt(backend.sql, 2)).toEqual(['7']);
    await backend.close();
  });

  it('a store that does not own its backend leaves it open when it closes', async () => {
    const backend = await countingBackend();
    const owner = await CheckpointStore.over(backend, { scope: 1 });
    await owner.startJob('job', FINGERPRINT);
    const shared = await CheckpointStore.over(backend, { scope: 1, ownsBackend: false });
    await shared.close();
    expect(backend.closes).toBe(0);
    expect((await owner.job())?.name).toBe('job');
    // Nor when its job cannot be read.
    backend.raw.exec(`update job set fingerprint = 'not json'`);
    await expect(CheckpointStore.over(backend, { scope: 1, ownsBackend: false })).rejects.toMatchObject({ code: 'checkpoint_damaged' });
    expect(backend.closes).toBe(0);
    await owner.close();
    expect(backend.closes).toBe(1);
  });
});
