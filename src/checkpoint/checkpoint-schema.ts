import { sql, type Generated, type Kysely } from 'kysely';

/**
 * Outcome of one legacy user, as kept in the ledger. `rolled_back` (since schema 3): the user this
 * job created was deleted from Dynamic by `rollback`; the Dynamic id is kept for the record.
 */
export const LEDGER_OUTCOMES = ['created', 'updated', 'already_exists', 'failed', 'rejected', 'rolled_back'] as const;
export type LedgerOutcome = (typeof LEDGER_OUTCOMES)[number];

export const BATCH_STATES = ['planned', 'sent', 'settled'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/**
 * Phases of a job: the first `full` pass walks the primary key; once it has settled everything,
 * the job is `incremental` and every run reads the rows changed since the last one.
 */
export const JOB_PHASES = ['full', 'incremental'] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

/**
 * Which pass planned a batch: the primary-key pass (`full`), the change-cursor pass (`changes`,
 * keys are `["<timestamp>","<key>"]` JSON) or the changed-children pass (`children`). Only the
 * first two move the job's cursor.
 */
export const BATCH_PASSES = ['full', 'changes', 'children'] as const;
export type BatchPass = (typeof BATCH_PASSES)[number];

/** Row types of the checkpoint database, for kysely. Timestamps are ISO 8601 text. */
export interface CheckpointTables {
  schema_version: { version: number };
  job: {
    id: number;
    name: string;
    /** JSON of a `Fingerprint`. */
    fingerprint: string;
    cursor: string | null;
    /** Highest seq the cursor has passed; the cursor chain continues at the next batch. */
    cursor_seq: number;
    created_at: string;
    updated_at: string;
    last_run_started_at: string | null;
    last_run_finished_at: string | null;
    /** Since schema 2. */
    phase: JobPhase;
    /** Where the change cursor starts: the database's `now() - lag` when the first run began. Since schema 2. */
    incremental_since: string | null;
    /** JSON object: child name → change-column timestamp up to which child changes were processed. Since schema 2. */
    child_watermarks: string;
  };
  batches: {
    seq: Generated<number>;
    first_key: string;
    last_key: string;
    /** JSON array of the keys sent; emptied once the cursor has passed the batch. */
    legacy_ids: string;
    sent_count: number;
    state: BatchState;
    upsert: number;
    attempts: number;
    planned_at: string;
    sent_at: string | null;
    settled_at: string | null;
    /** Since schema 2. */
    pass: BatchPass;
  };
  ledger: {
    legacy_id: string;
    sort_key: string;
    dynamic_user_id: string | null;
    outcome: LedgerOutcome;
    payload_hash: string | null;
    error_code: string | null;
    error_message: string | null;
    batch_seq: number;
    first_seen_at: string;
    updated_at: string;
  };
}

const quoted = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/**
 * Schema migrations, applied in order inside one transaction; `schema_version` holds the last one
 * applied. Append new versions, never edit a shipped one.
 */
export const MIGRATIONS: ReadonlyArray<(db: Kysely<CheckpointTables>) => Promise<void>> = [
  async (db) => {
    await sql`create table schema_version (version integer not null)`.execute(db);
    // One job per file: the check keeps it to a single row.
    await sql`create table job (
      id integer primary key check (id = 1),
      name text not null,
      fingerprint text not null,
      cursor text,
      cursor_seq integer not null default 0,
      created_at text not null,
      updated_at text not null,
      last_run_started_at text,
      last_run_finished_at text
    )`.execute(db);
    // autoincrement: a seq is never reused, even after batches are discarded.
    await sql`create table batches (
      seq integer primary key autoincrement,
      first_key text not null,
      last_key text not null,
      legacy_ids text not null,
      sent_count integer not null,
      state text not null check (state in (${sql.raw(quoted(BATCH_STATES))})),
      upsert integer not null check (upsert in (0, 1)),
      attempts integer not null default 0,
      planned_at text not null,
      sent_at text,
      settled_at text
    )`.execute(db);
    await sql`create index batches_state_seq on batches (state, seq)`.execute(db);
    await createLedgerTable(db, 'ledger');
    await sql`create index ledger_outcome_sort on ledger (outcome, sort_key)`.execute(db);
  },
  // 2: incremental reruns. A job from version 1 keeps its phase (`full`) and cursor; where its
  // changes start is unknown, so it is set to the beginning of time: the first incremental run
  // reads every row once and re-sends only the users whose payload hash differs from the ledger's.
  async (db) => {
    await sql`alter table job add column phase text not null default 'full' check (phase in (${sql.raw(quoted(JOB_PHASES))}))`.execute(db);
    await sql`alter table job add column incremental_since text`.execute(db);
    await sql`alter table job add column child_watermarks text not null default '{}'`.execute(db);
    await sql`update job set incremental_since = '-infinity'`.execute(db);
    await sql`alter table batches add column pass text not null default 'full' check (pass in (${sql.raw(quoted(BATCH_PASSES))}))`.execute(db);
  },
  // 3: rollback. SQLite cannot alter a check constraint, so the ledger is rebuilt with the outcome
  // `rolled_back` allowed; every entry is copied as it was.
  async (db) => {
    await createLedgerTable(db, 'ledger_v3');
    await sql`insert into ledger_v3 select legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, error_code,
      error_message, batch_seq, first_seen_at, updated_at from ledger`.execute(db);
    await sql`drop table ledger`.execute(db);
    await sql`alter table ledger_v3 rename to ledger`.execute(db);
    await sql`create index ledger_outcome_sort on ledger (outcome, sort_key)`.execute(db);
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The ledger's one definition, used by the first migration and by the rebuild of version 3. */
async function createLedgerTable(db: Kysely<CheckpointTables>, name: string): Promise<void> {
  await sql`create table ${sql.id(name)} (
      legacy_id text primary key,
      sort_key text not null unique,
      dynamic_user_id text,
      outcome text not null check (outcome in (${sql.raw(quoted(LEDGER_OUTCOMES))})),
      payload_hash text,
      error_code text,
      error_message text,
      batch_seq integer not null,
      first_seen_at text not null,
      updated_at text not null
    )`.execute(db);
}
