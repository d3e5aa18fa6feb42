import type { Selectable } from 'kysely';
import { CheckpointError } from '../errors.js';
import type { BatchState, CheckpointTables, LedgerOutcome } from './checkpoint-schema.js';
import { parseFingerprint, type Fingerprint } from './fingerprint.js';

/** The job a checkpoint belongs to. Timestamps are ISO 8601. */
export interface JobRecord {
  name: string;
  fingerprint: Fingerprint;
  /** Every batch whose keys are at or below this primary-key value is settled; null before the first. */
  cursor: string | null;
  createdAt: string;
  updatedAt: string;
  lastRunStartedAt: string | null;
  /** Older than `lastRunStartedAt` (or null) while a run is going on or after one was killed. */
  lastRunFinishedAt: string | null;
}

/** One entry of the batch journal. */
export interface BatchRecord {
  seq: number;
  firstKey: string;
  lastKey: string;
  /** Keys sent in this batch (rows rejected locally are in the key range but not here). */
  legacyIds: string[];
  state: BatchState;
  upsert: boolean;
  attempts: number;
  plannedAt: string;
  sentAt: string | null;
  settledAt: string | null;
}

/** What the ledger knows about one legacy user. */
export interface LedgerEntry {
  legacyId: string;
  dynamicUserId: string | null;
  outcome: LedgerOutcome;
  payloadHash: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  batchSeq: number;
  firstSeenAt: string;
  updatedAt: string;
}

export function toBatchRecord(row: Selectable<CheckpointTables['batches']>): BatchRecord {
  return {
    seq: row.seq,
    firstKey: row.first_key,
    lastKey: row.last_key,
    legacyIds: JSON.parse(row.legacy_ids) as string[],
    state: row.state,
    upsert: row.upsert === 1,
    attempts: row.attempts,
    plannedAt: row.planned_at,
    sentAt: row.sent_at,
    settledAt: row.settled_at,
  };
}

export function toLedgerEntry(row: CheckpointTables['ledger']): LedgerEntry {
  return {
    legacyId: row.legacy_id,
    dynamicUserId: row.dynamic_user_id,
    outcome: row.outcome,
    payloadHash: row.payload_hash,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    batchSeq: row.batch_seq,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
  };
}

/** @throws CheckpointError `checkpoint_damaged` when the saved fingerprint cannot be read. */
export function toJobRecord(path: string, row: Selectable<CheckpointTables['job']>): JobRecord {
  const fingerprint = parseFingerprint(row.fingerprint);
  if (!fingerprint) {
    throw new CheckpointError(`checkpoint ${path} is damaged: the job's fingerprint is unreadable`, {
      code: 'checkpoint_damaged',
    });
  }
  return {
    name: row.name,
    fingerprint,
    cursor: row.cursor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastRunStartedAt: row.last_run_started_at,
    lastRunFinishedAt: row.last_run_finished_at,
  };
}
