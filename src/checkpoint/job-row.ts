import type Database from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { toJobRecord, type JobRecord } from './checkpoint-records.js';
import type { CheckpointTables } from './checkpoint-schema.js';
import { get, run } from './prepared.js';

type Raw = Database.Database;

/** The job row, as a record; undefined before the first `startJob`. */
export function readJob(raw: Raw, path: string): JobRecord | undefined {
  const row = get<Selectable<CheckpointTables['job']>>(raw, 'select * from job where id = 1');
  return row && toJobRecord(path, row);
}

/** Where the cursor chain stands: the seq of the last batch the cursor has passed. */
export function readCursorSeq(raw: Raw): number {
  const job = get<{ cursor_seq: number }>(raw, 'select cursor_seq from job where id = 1');
  if (!job) throw new Error('the checkpoint has no job row');
  return job.cursor_seq;
}

/** Writes the job row of a first run: full phase, no cursor, no watermarks. */
export function insertJob(raw: Raw, name: string, fingerprintJson: string, now: string): void {
  run(
    raw,
    `insert into job (id, name, fingerprint, cursor, cursor_seq, created_at, updated_at, phase, incremental_since, child_watermarks)
      values (1, ?, ?, null, 0, ?, ?, 'full', null, '{}')`,
    name, fingerprintJson, now, now,
  );
}

/** Replaces the fingerprint the job is checked against (the caller accepted the differences). */
export function updateFingerprint(raw: Raw, fingerprintJson: string, now: string): void {
  run(raw, 'update job set fingerprint = ?, updated_at = ? where id = 1', fingerprintJson, now);
}

/** Stamps the start or the (unkilled) end of a run. */
export function stampRun(raw: Raw, which: 'started' | 'finished', now: string): void {
  const sql = which === 'started'
    ? 'update job set last_run_started_at = ?, updated_at = ? where id = 1'
    : 'update job set last_run_finished_at = ?, updated_at = ? where id = 1';
  run(raw, sql, now, now);
}
