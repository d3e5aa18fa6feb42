import { CheckpointError } from '../errors.js';
import { parseWatermarksOrEmpty } from './checkpoint-records.js';
import type { JobPhase } from './checkpoint-schema.js';
import { jobColumns, lockJobRow } from './job-row.js';
import type { StateSql } from './state-sql.js';

/**
 * Records where incremental reads will start, once: a resumed first run keeps the value its first
 * attempt recorded (before reading anything), so rows changed while it ran are not skipped.
 * @returns the value in force afterwards.
 */
export function recordIncrementalSince(db: StateSql, scope: number, since: string, now: string): Promise<string> {
  return db.transaction(async (tx) => {
    await lockJobRow(tx, scope);
    await tx.run('update job set incremental_since = ?, updated_at = ? where id = ? and incremental_since is null', since, now, scope);
    return (await jobColumns<{ incremental_since: string | null }>(tx, scope, 'incremental_since')).incremental_since ?? since;
  });
}

/**
 * Ends the full pass: the job becomes incremental with `cursor` (the change cursor at
 * `incremental_since`). Refused while a batch is unsettled: the full pass is not over until every
 * key has a known fate.
 * @throws CheckpointError `checkpoint_phase` when the job is not in the full phase, has unsettled
 *   batches, or never recorded where incremental reads start.
 */
export function enterIncrementalPhase(db: StateSql, scope: number, cursor: string, now: string): Promise<void> {
  return db.transaction(async (tx) => {
    await lockJobRow(tx, scope);
    const job = await jobColumns<{ phase: JobPhase; incremental_since: string | null; cursor_seq: number }>(tx, scope, 'phase, incremental_since, cursor_seq');
    const unsettled = await tx.get<{ seq: number }>(`select seq from batches where scope = ? and state in ('planned', 'sent') limit 1`, scope);
    if (job.phase !== 'full' || unsettled || job.incremental_since === null) {
      const why = job.phase !== 'full' ? 'it is already incremental' : unsettled ? 'batches are still unsettled' : 'it has no incremental start';
      throw new CheckpointError(`the job cannot switch to incremental runs: ${why}`, { code: 'checkpoint_phase' });
    }
    const max = await tx.get<{ seq: number | null }>('select max(seq) as seq from batches where scope = ?', scope);
    await tx.run(`update job set phase = 'incremental', cursor = ?, cursor_seq = ?, updated_at = ? where id = ?`,
      cursor, Math.max(job.cursor_seq, max?.seq ?? 0), now, scope);
  });
}

/** Moves one child's watermark: its changes up to `upper` have all been processed and settled. */
export function setChildWatermark(db: StateSql, scope: number, child: string, upper: string, now: string): Promise<void> {
  return db.transaction(async (tx) => {
    // Read, change, write back: another child's watermark written meanwhile would be lost.
    await lockJobRow(tx, scope);
    const row = await jobColumns<{ child_watermarks: string }>(tx, scope, 'child_watermarks');
    const watermarks = { ...parseWatermarksOrEmpty(row.child_watermarks), [child]: upper };
    await tx.run('update job set child_watermarks = ?, updated_at = ? where id = ?', JSON.stringify(watermarks), now, scope);
  });
}
