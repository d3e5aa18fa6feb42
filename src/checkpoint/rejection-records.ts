import type { SettledRejection } from './settle-result.js';
import { sortKey } from './checkpoint-schema.js';
import { inJsonList, type StateSql } from './state-sql.js';

/**
 * Records the broken rules of a settled batch's rows, in the transaction that settles it, so a
 * kill between the settle and the rejects files loses no line: a run's files are written from
 * here at its end (see {@link unreportedRejections}). Every row the batch settled loses the rules
 * it had before (rejected anew, it gets this batch's; accepted, it has none).
 */
export async function writeRejections(db: StateSql, batchSeq: number, settledKeys: Iterable<string>, rejections: readonly SettledRejection[]): Promise<void> {
  const keys = [...new Set(settledKeys)].map(sortKey);
  if (keys.length > 0) await db.run(`delete from rejections where sort_key ${inJsonList(db)}`, JSON.stringify(keys));
  const ordinals = new Map<string, number>();
  for (const r of rejections) {
    const ordinal = ordinals.get(r.legacyId) ?? 0;
    ordinals.set(r.legacyId, ordinal + 1);
    await db.run(`insert into rejections (sort_key, ordinal, legacy_id, batch_seq, field, rule, message, value) values (?, ?, ?, ?, ?, ?, ?, ?)`,
      sortKey(r.legacyId), ordinal, r.legacyId, batchSeq, r.field, r.rule, r.message, r.value ?? null);
  }
}

interface RejectionRow { sort_key: string; ordinal: number; legacy_id: string; field: string; rule: string; message: string; value: string | null }

/**
 * The rejections of batches settled after the last run that wrote its rejects files (so also
 * those of runs killed before they could), in legacy-id order, page by page; and the seq to mark
 * as reported once they are written.
 */
export async function unreportedRejections(db: StateSql, scope: number, pageSize = 1000): Promise<{ through: number; rows: AsyncGenerator<SettledRejection> }> {
  const from = (await db.get<{ reported_seq: number }>('select reported_seq from job where id = ?', scope))?.reported_seq ?? 0;
  const through = (await db.get<{ seq: number | null }>('select max(seq) as seq from batches where scope = ?', scope))?.seq ?? from;
  async function* rows(): AsyncGenerator<SettledRejection> {
    let after = { sort: '', ordinal: -1 };
    for (;;) {
      // The scope's own batches: a chunk's seqs interleave with those of chunks running beside it.
      const page = await db.all<RejectionRow>(
        `select * from rejections where batch_seq > ? and batch_seq <= ? and (sort_key, ordinal) > (?, ?)
          and batch_seq in (select seq from batches where scope = ? and seq > ? and seq <= ?)
          order by sort_key, ordinal limit ?`,
        from, through, after.sort, after.ordinal, scope, from, through, pageSize,
      );
      for (const row of page) {
        yield { legacyId: row.legacy_id, field: row.field, rule: row.rule, message: row.message, ...(row.value === null ? {} : { value: row.value }) };
      }
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) return;
      after = { sort: last.sort_key, ordinal: last.ordinal };
    }
  }
  return { through, rows: rows() };
}

/** The rejects files are written through `seq`: the next run lists only what settles after it. */
export async function markRejectionsReported(db: StateSql, scope: number, seq: number, now: string): Promise<void> {
  await db.run('update job set reported_seq = case when reported_seq > ? then reported_seq else ? end, updated_at = ? where id = ?', seq, seq, now, scope);
}
