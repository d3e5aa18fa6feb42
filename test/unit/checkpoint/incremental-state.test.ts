import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, SCHEMA_VERSION } from '../../../src/checkpoint/index.js';
import { MIGRATIONS, type CheckpointTables } from '../../../src/checkpoint/checkpoint-schema.js';
import { CheckpointError } from '../../../src/errors.js';
import { FINGERPRINT, useTempDir } from './temp-store.js';

const temp = useTempDir();

/** A checkpoint exactly as version 1 wrote it: a job half-way through, one settled batch, its ledger. */
async function writeVersion1(path: string): Promise<void> {
  const raw = new Database(path);
  const db = new Kysely<CheckpointTables>({ dialect: new SqliteDialect({ database: raw }) });
  const first = MIGRATIONS[0];
  if (!first) throw new Error('no migration 1');
  await first(db);
  const now = '2025-01-01T00:00:00.000Z';
  raw.exec(`insert into schema_version (version) values (1)`);
  raw.prepare(`insert into job (id, name, fingerprint, cursor, cursor_seq, created_at, updated_at) values (1, 'old', ?, '42', 1, ?, ?)`).run(JSON.stringify(FINGERPRINT), now, now);
  raw.prepare(`insert into batches (first_key, last_key, legacy_ids, sent_count, state, upsert, attempts, planned_at, settled_at) values ('1', '42', '[]', 2, 'settled', 0, 1, ?, ?)`).run(now, now);
  raw.prepare(`insert into ledger (legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, batch_seq, first_seen_at, updated_at) values ('42', 'n00242', 'dyn-42', 'created', 'h42', 1, ?, ?)`).run(now, now);
  await db.destroy();
}

async function openNew(name = 'job') {
  const store = temp.track(await CheckpointStore.open(join(temp.dir(), `${name}.db`), { create: true }));
  await store.startJob(name, FINGERPRINT);
  return store;
}

describe('checkpoint schema 2 (incremental reruns)', () => {
  it('upgrades a version-1 file in place, keeping its cursor, journal and ledger', async () => {
    const path = join(temp.dir(), 'old.db');
    await writeVersion1(path);
    const store = temp.track(await CheckpointStore.open(path, { create: false }));
    const job = await store.job();
    expect(job).toMatchObject({ name: 'old', cursor: '42', phase: 'full', incrementalSince: '-infinity', childWatermarks: {} });
    expect((await store.batch(1))?.pass).toBe('full');
    expect((await store.ledgerEntries(['42'])).get('42')).toMatchObject({ dynamicUserId: 'dyn-42', payloadHash: 'h42' });
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('select version from schema_version').all()).toEqual([{ version: SCHEMA_VERSION }]);
    raw.close();
    // Reopening an upgraded file changes nothing.
    const again = temp.track(await CheckpointStore.open(path, { create: false }));
    expect((await again.job())?.incrementalSince).toBe('-infinity');
  });

  it('records where changes start once, and a new job starts in the full phase', async () => {
    const store = await openNew();
    expect((await store.job())).toMatchObject({ phase: 'full', incrementalSince: null });
    expect(await store.recordIncrementalSince('2026-01-01 00:00:00.000001+00')).toBe('2026-01-01 00:00:00.000001+00');
    expect(await store.recordIncrementalSince('2026-02-02 00:00:00+00')).toBe('2026-01-01 00:00:00.000001+00');
  });

  it('switches to incremental only when every batch is settled', async () => {
    const store = await openNew();
    await store.recordIncrementalSince('2026-01-01 00:00:00+00');
    const seq = await store.planBatch({ firstKey: '1', lastKey: '5', sendKeys: ['1'], upsert: false });
    await expect(store.enterIncremental('["2026-01-01 00:00:00+00",""]')).rejects.toThrow(CheckpointError);
    await store.settleBatch(seq, { outcomes: [{ legacyId: '1', outcome: 'created', dynamicUserId: 'd1', payloadHash: 'h' }], rejections: [] });
    await store.enterIncremental('["2026-01-01 00:00:00+00",""]');
    expect(await store.job()).toMatchObject({ phase: 'incremental', cursor: '["2026-01-01 00:00:00+00",""]' });
    await expect(store.enterIncremental('x')).rejects.toThrow(/already incremental/);
  });

  it('moves the cursor over change batches but never onto a children batch; watermarks are per child', async () => {
    const store = await openNew();
    await store.recordIncrementalSince('2026-01-01 00:00:00+00');
    await store.enterIncremental('["2026-01-01 00:00:00+00",""]');
    const changes = await store.planBatch({ firstKey: '["2026-01-02 00:00:00+00","7"]', lastKey: '["2026-01-03 00:00:00+00","3"]', sendKeys: ['7', '3'], upsert: true, pass: 'changes' });
    const children = await store.planBatch({ firstKey: '2', lastKey: '9', sendKeys: ['2', '9'], upsert: true, pass: 'children' });
    await store.settleBatch(children, { outcomes: [], rejections: [] });
    expect((await store.job())?.cursor).toBe('["2026-01-01 00:00:00+00",""]'); // blocked behind the unsettled change batch
    await store.settleBatch(changes, { outcomes: [], rejections: [] });
    expect((await store.job())?.cursor).toBe('["2026-01-03 00:00:00+00","3"]');
    await store.setChildWatermark('wallets', '2026-01-04 00:00:00+00');
    await store.setChildWatermark('identities', '2026-01-05 00:00:00+00');
    expect((await store.job())?.childWatermarks).toEqual({ wallets: '2026-01-04 00:00:00+00', identities: '2026-01-05 00:00:00+00' });
    expect((await store.status()).job.phase).toBe('incremental');
  });
});
