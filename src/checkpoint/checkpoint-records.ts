import type { Selectable } from 'kysely';
import { CheckpointError } from '../errors.js';
import type { BatchPass, BatchState, CheckpointTables, JobPhase, LedgerOutcome, LedgerOwner } from './checkpoint-schema.js';
import { parseFingerprint, type Fingerprint } from './fingerprint.js';

/** The job a checkpoint belongs to. Timestamps are ISO 8601. */
export interface JobRecord {
  name: string;
  fingerprint: Fingerprint;
  /**
   * Everything at or before this position is settled; null before the first batch. In the `full`
   * phase a primary-key value; in the `incremental` phase a change cursor, `["<timestamp>","<key>"]`.
   */
  cursor: string | null;
  phase: JobPhase;
  /** Where incremental reads start (database time, `now() - lag` at the first run); null before it. */
  incrementalSince: string | null;
  /** Child name → timestamp up to which that child's changes have been processed. */
  childWatermarks: Record<string, string>;
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
  pass: BatchPass;
  upsert: boolean;
  /** The cursor may move to `lastKey` once this batch and every one before it settled. */
  positioned: boolean;
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
  /** Whose Dynamic user this is (see `LEDGER_OWNERS`); null when none or unknown. */
  owner: LedgerOwner | null;
  /** Hash of the identities last sent for this user; null when unknown. */
  identityHash: string | null;
}

export function toBatchRecord(row: Selectable<CheckpointTables['batches']>): BatchRecord {
  return {
    seq: row.seq,
    firstKey: row.first_key,
    lastKey: row.last_key,
    legacyIds: JSON.parse(row.legacy_ids) as string[],
    state: row.state,
    pass: row.pass,
    upsert: row.upsert === 1,
    positioned: row.positioned === 1,
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
    owner: row.owner,
    identityHash: row.identity_hash,
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
  const childWatermarks = parseWatermarks(row.child_watermarks);
  if (!childWatermarks) {
    throw new CheckpointError(`checkpoint ${path} is damaged: the job's child watermarks are unreadable`, { code: 'checkpoint_damaged' });
  }
  return {
    name: row.name,
    fingerprint,
    cursor: row.cursor,
    phase: row.phase,
    incrementalSince: row.incremental_since,
    childWatermarks,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastRunStartedAt: row.last_run_started_at,
    lastRunFinishedAt: row.last_run_finished_at,
  };
}

/** The watermarks of a job row; `{}` when unreadable (the job record itself reports that as damage). */
export function parseWatermarksOrEmpty(json: string): Record<string, string> {
  return parseWatermarks(json) ?? {};
}

function parseWatermarks(json: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, at]) => typeof at === 'string') ? Object.fromEntries(entries) as Record<string, string> : undefined;
}
