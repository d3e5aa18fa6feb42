import type Database from 'better-sqlite3';
import { all, get, run } from './prepared.js';
import type { SettledRejection } from './settle-result.js';
import { sortKey } from './sort-key.js';

type Raw = Database.Database;

/**
 * Records the broken rules of a settled batch's rows, in the transaction that settles it, so a
 * kill between the settle and the rejects files loses no line: a run's files are written from
 * here at its end (see {@link unreportedRejections}). Every row the batch settled loses the rules
 * it had before (rejected anew, it gets this batch's; accepted, it has none).
 */
export function writeRejections(raw: Raw, batchSeq: number, settledKeys: Iterable<string>, rejections: readonly SettledRejection[]): void {
  const keys = [...new Set(settledKeys)].map(sortKey);
  if (keys.length > 0) run(raw, 'delete from rejections where sort_key in (select value from json_each(?))', JSON.stringify(keys));
  const ordinals = new Map<string, number>();
  for (const r of rejections) {
    const ordinal = ordinals.get(r.legacyId) ?? 0;
    ordinals.set(r.legacyId, ordinal + 1);
    run(raw, `insert into rejections (sort_key, ordinal, legacy_id, batch_seq, field, rule, message, value) values (?, ?, ?, ?, ?, ?, ?, ?)`,
      sortKey(r.legacyId), ordinal, r.legacyId, batchSeq, r.field, r.rule, r.message, r.value ?? null);
  }
}

interface RejectionRow { sort_key: string; ordinal: number; legacy_id: string; field: string; rule: string; message: string; value: string | null }

/**
 * The rejections of batches settled after the last run that wrote its rejects files (so also
 * those of runs killed before they could), in legacy-id order, page by page; and the seq to mark
 * as reported once they are written.
 */
export function unreportedRejections(raw: Raw, pageSize = 1000): { through: number; rows: AsyncGenerator<SettledRejection> } {
  const from = get<{ reported_seq: number }>(raw, 'select reported_seq from job where id = 1')?.reported_seq ?? 0;
  const through = get<{ seq: number | null }>(raw, 'select max(seq) as seq from batches')?.seq ?? from;
  async function* rows(): AsyncGenerator<SettledRejection> {
    let after = { sort: '', ordinal: -1 };
    for (;;) {
      const page = all<RejectionRow>(
        raw,
        `select * from rejections where batch_seq > ? and batch_seq <= ? and (sort_key, ordinal) > (?, ?)
          order by sort_key, ordinal limit ?`,
        from, through, after.sort, after.ordinal, pageSize,
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
export function markRejectionsReported(raw: Raw, seq: number, now: string): void {
  run(raw, 'update job set reported_seq = max(reported_seq, ?), updated_at = ? where id = 1', seq, now);
}
