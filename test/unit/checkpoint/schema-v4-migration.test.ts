import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, type BatchRecord } from '../../../src/checkpoint/index.js';
import { MIGRATIONS, type CheckpointTables } from '../../../src/checkpoint/checkpoint-schema.js';
import { allCreated, collect, keys, useTempDir } from './temp-store.js';

const temp = useTempDir();
const NOW = '2025-06-01T00:00:00.000Z';

/** A checkpoint exactly as version 3 wrote it (migrations 1 to 3), cursor at 10, filled by `fill` over SQL. */
async function writeVersion3(path: string, cursorSeq: number, fill: (raw: Database.Database) => void): Promise<void> {
  const raw = new Database(path);
  const db = new Kysely<CheckpointTables>({ dialect: new SqliteDialect({ database: raw }) });
  for (const up of MIGRATIONS.slice(0, 3)) await up(db);
  raw.prepare('insert into schema_version (version) values (3)').run();
  raw.prepare(`insert into job (id, name, fingerprint, cursor, cursor_seq, created_at, updated_at, phase, incremental_since, child_watermarks)
    values (1, 'job', ?, '10', ?, ?, ?, 'full', null, '{}')`)
    .run(JSON.stringify({ source: 's', mappingHash: 'h', environmentId: null }), cursorSeq, NOW, NOW);
  fill(raw);
  await db.destroy();
}

/** A version-3 batch row; `legacyIds` empty once the cursor passed it. */
function insertBatch(raw: Database.Database, b: { seq: number; state: string; pass: string; first: string; last: string; legacyIds: string[]; upsert?: boolean }): void {
  raw.prepare(`insert into batches (seq, first_key, last_key, legacy_ids, sent_count, state, upsert, attempts, planned_at, sent_at, settled_at, pass)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    b.seq, b.first, b.last, JSON.stringify(b.legacyIds), b.legacyIds.length, b.state, b.upsert ? 1 : 0, b.state === 'planned' ? 0 : 1,
    NOW, b.state === 'planned' ? null : NOW, b.state === 'settled' ? NOW : null, b.pass,
  );
}

// Run 1 settled 1 and 2 and was killed with 3 in flight; run 2 discarded 3 (cursor_seq 3), replayed
// its keys in 4, and was killed too: 4 to 6 unsettled, 7 settled behind them.
const OLD_BATCHES = [
  { seq: 1, state: 'settled', pass: 'full', first: '1', last: '10', legacyIds: [] },
  { seq: 2, state: 'settled', pass: 'children', first: '3', last: '7', legacyIds: [] },
  { seq: 4, state: 'sent', pass: 'full', first: '11', last: '20', legacyIds: keys(11, 10), upsert: true },
  { seq: 5, state: 'planned', pass: 'full', first: '21', last: '30', legacyIds: keys(21, 10) },
  { seq: 6, state: 'sent', pass: 'children', first: '4', last: '8', legacyIds: ['4', '8'], upsert: true },
  { seq: 7, state: 'settled', pass: 'full', first: '31', last: '40', legacyIds: keys(31, 10) },
];

const OLD_LEDGER = [
  { id: '1', outcome: 'created', dyn: 'dyn-1', error: null },
  { id: '2', outcome: 'updated', dyn: 'dyn-2', error: null },
  { id: '3', outcome: 'already_exists', dyn: 'dyn-3', error: 'email_already_exists' },
  { id: '4', outcome: 'failed', dyn: null, error: 'internal' },
  { id: '5', outcome: 'rejected', dyn: null, error: 'pattern' },
  { id: '6', outcome: 'rolled_back', dyn: 'dyn-6', error: null },
  // Version 3 recorded a user the answer was silent about as failed: it may be in Dynamic.
  { id: '7', outcome: 'failed', dyn: null, error: 'no_outcome' },
];

function fillEveryState(raw: Database.Database): void {
  for (const batch of OLD_BATCHES) insertBatch(raw, batch);
  for (const e of OLD_LEDGER) {
    raw.prepare(`insert into ledger (legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, error_code, error_message, batch_seq, first_seen_at, updated_at)
      values (?, ?, ?, ?, 'p', ?, null, 1, ?, ?)`).run(e.id, `n001${e.id}`, e.dyn, e.outcome, e.error, NOW, NOW);
  }
}

describe('checkpoint schema 3 → 4', () => {
  it('keeps every batch with its seq (children unpositioned), maps outcomes and owners, and still finds the keys in doubt', async () => {
    const path = join(temp.dir(), 'job.db');
    await writeVersion3(path, 3, fillEveryState);
    const store = temp.track(await CheckpointStore.open(path, { create: false }));

    for (const old of OLD_BATCHES) {
      expect(await store.batch(old.seq)).toEqual<BatchRecord>({
        seq: old.seq, firstKey: old.first, lastKey: old.last, legacyIds: old.legacyIds, state: old.state as BatchRecord['state'],
        pass: old.pass as BatchRecord['pass'], upsert: old.upsert === true, positioned: old.pass !== 'children',
        attempts: old.state === 'planned' ? 0 : 1, plannedAt: NOW, sentAt: old.state === 'planned' ? null : NOW, settledAt: old.state === 'settled' ? NOW : null,
      });
    }
    const ledger = await store.ledgerEntries(OLD_LEDGER.map((e) => e.id));
    expect(OLD_LEDGER.map((e) => {
      const entry = ledger.get(e.id);
      return [e.id, entry?.outcome, entry?.owner, entry?.dynamicUserId, entry?.errorCode, entry?.payloadHash, entry?.identityHash];
    })).toEqual([
      ['1', 'created', 'job', 'dyn-1', null, 'p', null],
      ['2', 'updated', null, 'dyn-2', null, 'p', null], // maybe merged into someone's account: owner unknown
      ['3', 'conflict', 'other', 'dyn-3', 'email_already_exists', 'p', null],
      ['4', 'failed', null, null, 'internal', 'p', null],
      ['5', 'rejected', null, null, 'pattern', 'p', null],
      ['6', 'rolled_back', 'job', 'dyn-6', null, 'p', null],
      ['7', 'failed', null, null, 'no_outcome', 'p', null],
    ]);

    // What version 3 reported is not reported again; the cursor is where it was.
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.prepare('select reported_seq, cursor, cursor_seq from job').get()).toEqual({ reported_seq: 7, cursor: '10', cursor_seq: 3 });
    } finally {
      raw.close();
    }
    const { through, rows } = await store.unreportedRejections();
    expect([through, await collect(rows)]).toEqual([7, []]);

    const inDoubt = [...keys(11, 10), ...keys(21, 10), '4', '8', '7'].sort();
    expect([...(await store.inDoubtKeys())].sort()).toEqual(inDoubt);
    await store.discardUnsettled();
    expect([...(await store.inDoubtKeys())].sort()).toEqual(inDoubt);

    // A new batch comes after every old one, and its rejections are reported.
    const seq = await store.planBatch({ firstKey: '41', lastKey: '43', sendKeys: ['41', '43'], upsert: false });
    expect(seq).toBe(8);
    await store.markSent(seq);
    await store.settleBatch(seq, { outcomes: allCreated(['41', '43']).outcomes, rejections: [{ legacyId: '42', field: 'email', rule: 'pattern', message: 'bad' }] });
    const after = await store.unreportedRejections();
    expect([after.through, await collect(after.rows)]).toEqual([8, [{ legacyId: '42', field: 'email', rule: 'pattern', message: 'bad' }]]);
  });

  it('never reuses the seq of a batch version 3 discarded last: the cursor waits for every new batch', async () => {
    const path = join(temp.dir(), 'job.db');
    // Run 1 settled 1 and 2 and was killed with 3 and 4 in flight; run 2 discarded them (cursor_seq 4) and stopped.
    await writeVersion3(path, 4, (raw) => {
      insertBatch(raw, { seq: 1, state: 'settled', pass: 'full', first: '1', last: '5', legacyIds: [] });
      insertBatch(raw, { seq: 2, state: 'settled', pass: 'full', first: '6', last: '10', legacyIds: [] });
      insertBatch(raw, { seq: 3, state: 'sent', pass: 'full', first: '11', last: '20', legacyIds: keys(11, 10) });
      insertBatch(raw, { seq: 4, state: 'sent', pass: 'full', first: '21', last: '30', legacyIds: keys(21, 10) });
      raw.prepare('delete from batches where seq > 2').run();
    });
    const store = temp.track(await CheckpointStore.open(path, { create: false }));
    const plan = async (first: number) => {
      const seq = await store.planBatch({ firstKey: String(first), lastKey: String(first + 9), sendKeys: keys(first, 10), upsert: false });
      await store.markSent(seq);
      return seq;
    };
    const seqs = [await plan(11), await plan(21), await plan(31)];
    expect(seqs).toEqual([5, 6, 7]);
    await store.settleBatch(seqs[2]!, allCreated(keys(31, 10)));
    await store.settleBatch(seqs[1]!, allCreated(keys(21, 10)));
    expect((await store.job())?.cursor).toBe('10');
    await store.settleBatch(seqs[0]!, allCreated(keys(11, 10)));
    expect((await store.job())?.cursor).toBe('40');
  });
});
