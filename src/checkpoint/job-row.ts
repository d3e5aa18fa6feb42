import type { Selectable } from 'kysely';
import { CheckpointError } from '../errors.js';
import { toJobRecord, type JobRecord } from './checkpoint-records.js';
import type { CheckpointTables } from './checkpoint-schema.js';
import { forUpdate, type StateSql } from './state-sql.js';

// The job row of a scope: `job.id` is the scope (1 for a whole job, as the embedded checkpoint
// always is; a chunk of a scaled-out job has one of its own, see chunk-scope.ts).

/** The job row, as a record; undefined before the first `startJob`. */
export async function readJob(db: StateSql, scope: number, label: string): Promise<JobRecord | undefined> {
  const row = await db.get<Selectable<CheckpointTables['job']>>('select * from job where id = ?', scope);
  return row && toJobRecord(label, row);
}

/** One or more columns of the job row. @throws CheckpointError `checkpoint_no_job` when there is none. */
export async function jobColumns<Row>(db: StateSql, scope: number, columns: string): Promise<Row> {
  const row = await db.get<Row>(`select ${columns} from job where id = ?`, scope);
  if (row === undefined) throw new CheckpointError('the checkpoint has no job yet', { code: 'checkpoint_no_job' });
  return row;
}

/**
 * Takes the scope's job row until the transaction ends; the first statement of every transaction
 * that reads the scope's batches or job row to decide what to write there. Under PostgreSQL's read
 * committed, two settles of one scope would otherwise each see the other's batch unsettled, and
 * neither move the cursor over both. (Nothing to take on SQLite: its write transactions run one at
 * a time.)
 */
export async function lockJobRow(tx: StateSql, scope: number): Promise<void> {
  if (tx.dialect === 'postgres') await tx.get(`select id from job where id = ?${forUpdate(tx)}`, scope);
}

/** Where the cursor chain stands: the seq of the last batch the cursor has passed. */
export async function readCursorSeq(db: StateSql, scope: number): Promise<number> {
  return (await jobColumns<{ cursor_seq: number }>(db, scope, 'cursor_seq')).cursor_seq;
}

/** Writes the job row of a first run: full phase, the cursor at `cursor` (a chunk's lower bound; null: the beginning). */
export async function insertJob(db: StateSql, scope: number, row: { name: string; fingerprintJson: string; cursor: string | null }, now: string): Promise<void> {
  await db.run(
    `insert into job (id, name, fingerprint, cursor, cursor_seq, created_at, updated_at, phase, incremental_since, child_watermarks)
      values (?, ?, ?, ?, 0, ?, ?, 'full', null, '{}')`,
    scope, row.name, row.fingerprintJson, row.cursor, now, now,
  );
}

/** Replaces the fingerprint the job is checked against (the caller accepted the differences). */
export async function updateFingerprint(db: StateSql, scope: number, fingerprintJson: string, now: string): Promise<void> {
  await db.run('update job set fingerprint = ?, updated_at = ? where id = ?', fingerprintJson, now, scope);
}

/** Stamps the start or the (unkilled) end of a run. */
export async function stampRun(db: StateSql, scope: number, which: 'started' | 'finished', now: string): Promise<void> {
  const text = which === 'started'
    ? 'update job set last_run_started_at = ?, updated_at = ? where id = ?'
    : 'update job set last_run_finished_at = ?, updated_at = ? where id = ?';
  await db.run(text, now, now, scope);
}
