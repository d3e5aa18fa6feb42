import type Database from 'better-sqlite3';
import { CheckpointError } from '../errors.js';
import { parseWatermarksOrEmpty } from './checkpoint-records.js';
import type { JobPhase } from './checkpoint-schema.js';
import { get, run } from './prepared.js';

type Raw = Database.Database;

function jobRow<Row>(raw: Raw, columns: string): Row {
  const row = get<Row>(raw, `select ${columns} from job where id = 1`);
  if (row === undefined) throw new CheckpointError('the checkpoint has no job yet', { code: 'checkpoint_no_job' });
  return row;
}

/**
 * Records where incremental reads will start, once: a resumed first run keeps the value its first
 * attempt recorded (before reading anything), so rows changed while it ran are not skipped.
 * @returns the value in force afterwards.
 */
export function recordIncrementalSince(raw: Raw, since: string, now: string): string {
  run(raw, 'update job set incremental_since = ?, updated_at = ? where id = 1 and incremental_since is null', since, now);
  return jobRow<{ incremental_since: string | null }>(raw, 'incremental_since').incremental_since ?? since;
}

/**
 * Ends the full pass: the job becomes incremental with `cursor` (the change cursor at
 * `incremental_since`). Refused while a batch is unsettled: the full pass is not over until every
 * key has a known fate.
 * @throws CheckpointError `checkpoint_phase` when the job is not in the full phase, has unsettled
 *   batches, or never recorded where incremental reads start.
 */
export function enterIncrementalPhase(raw: Raw, cursor: string, now: string): void {
  raw.transaction(() => {
    const job = jobRow<{ phase: JobPhase; incremental_since: string | null; cursor_seq: number }>(raw, 'phase, incremental_since, cursor_seq');
    const unsettled = get<{ seq: number }>(raw, `select seq from batches where state in ('planned', 'sent') limit 1`);
    if (job.phase !== 'full' || unsettled || job.incremental_since === null) {
      const why = job.phase !== 'full' ? 'it is already incremental' : unsettled ? 'batches are still unsettled' : 'it has no incremental start';
      throw new CheckpointError(`the job cannot switch to incremental runs: ${why}`, { code: 'checkpoint_phase' });
    }
    const max = get<{ seq: number | null }>(raw, 'select max(seq) as seq from batches');
    run(raw, `update job set phase = 'incremental', cursor = ?, cursor_seq = ?, updated_at = ? where id = 1`,
      cursor, Math.max(job.cursor_seq, max?.seq ?? 0), now);
  })();
}

/** Moves one child's watermark: its changes up to `upper` have all been processed and settled. */
export function setChildWatermark(raw: Raw, child: string, upper: string, now: string): void {
  raw.transaction(() => {
    const row = jobRow<{ child_watermarks: string }>(raw, 'child_watermarks');
    const watermarks = { ...parseWatermarksOrEmpty(row.child_watermarks), [child]: upper };
    run(raw, 'update job set child_watermarks = ?, updated_at = ? where id = 1', JSON.stringify(watermarks), now);
  })();
}
