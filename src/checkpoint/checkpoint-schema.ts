import { sql, type Generated, type Kysely } from 'kysely';

/**
 * Outcome of one legacy user, as kept in the ledger:
 * - `created`: this job created the Dynamic user (however the answer came: directly, or by a
 *   look-up after the answer was lost);
 * - `updated`: the last send updated the Dynamic user (`owner` says whose it is);
 * - `already_exists`: a Dynamic user carrying this row's legacy id was already there, not created
 *   by this job (e.g. by a job since reset); ours to update, not to roll back (since schema 4);
 * - `conflict`: its email, wallet or account belongs to someone else in Dynamic; never updated
 *   without `--upsert` (since schema 4; before, such users were recorded as `already_exists`);
 * - `failed`, `rejected`; `rolled_back` (since schema 3): deleted by `rollback`, id kept.
 */
export const LEDGER_OUTCOMES = ['created', 'updated', 'already_exists', 'conflict', 'failed', 'rejected', 'rolled_back'] as const;
export type LedgerOutcome = (typeof LEDGER_OUTCOMES)[number];

/**
 * Whose Dynamic user a ledger entry points at (since schema 4): `job` = this job created it (the
 * only ones `rollback` deletes); `legacy_id` = it carries this row's legacy id but this job did
 * not create it; `other` = someone else's (a conflict, or updated on purpose with `--upsert`).
 * Null: no Dynamic user, or unknown (entries of `updated` written before schema 4).
 */
export const LEDGER_OWNERS = ['job', 'legacy_id', 'other'] as const;
export type LedgerOwner = (typeof LEDGER_OWNERS)[number];

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
 * keys are `["<timestamp>","<key>"]` JSON), the changed-children pass (`children`) or the replay
 * of users left in doubt (`in_doubt`, since schema 4). Only the first two move the job's cursor.
 */
export const BATCH_PASSES = ['full', 'changes', 'children', 'in_doubt'] as const;
export type BatchPass = (typeof BATCH_PASSES)[number];

/**
 * The `sort_key` column of the ledger, rejections and in-doubt tables: the order they are listed
 * in. Legacy ids are stored as text, and text order puts `10` before `9`; so canonical
 * non-negative integers sort by length first (numeric order), everything else (uuids, text keys)
 * by its code points after them. The mapping is one-to-one, so the sort key is also a unique
 * keyset-pagination key.
 */
export function sortKey(legacyId: string): string {
  if (/^(?:0|[1-9][0-9]*)$/.test(legacyId) && legacyId.length < 1000) {
    return `n${String(legacyId.length).padStart(3, '0')}${legacyId}`;
  }
  return `t${legacyId}`;
}

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
    /** Rejections of batches up to this seq are in a finished run's rejects files. Since schema 4. */
    reported_seq: number;
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
    /** 1: the cursor may move to `last_key` once the batch and all before it settle. Since schema 4. */
    positioned: number;
    /** JSON object: key → the identities sent for it (see identity-holders.ts); emptied with `legacy_ids`. Since schema 4. */
    sent_identities: string;
    /** The job row (`job.id`) whose cursor chain the batch belongs to. Since schema 5. */
    scope: number;
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
    /** Since schema 4. */
    owner: LedgerOwner | null;
    /** Hash of the identities last sent (email, username, wallets, OAuth accounts). Since schema 4. */
    identity_hash: string | null;
  };
  /** Users whose fate is unknown (an answer lost, a silent answer); removed when settled. Since schema 4. */
  in_doubt: {
    legacy_id: string;
    sort_key: string;
    since: string;
    reason: string;
    /** JSON array of the identities the attempts in doubt carried: looked up when the row's have changed since. */
    identities: string;
    /** The scope that replays it. Since schema 5. */
    scope: number;
  };
  /** The rate limiter's sends of the last window, so a restart knows what the server still counts. Since schema 4. */
  sends: {
    id: Generated<number>;
    /** Milliseconds since the epoch. */
    granted_at: number;
    done_at: number | null;
    answer: 'accepted' | 'refused' | 'none' | null;
  };
  /** Every broken rule of every row rejected, written when its batch settles. Since schema 4. */
  rejections: {
    /** The ledger's order of `legacy_id` (see `sortKey`). */
    sort_key: string;
    /** Order of the rule within the row. */
    ordinal: number;
    legacy_id: string;
    batch_seq: number;
    field: string;
    rule: string;
    message: string;
    /** Masked by the mapper. */
    value: string | null;
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
    await createLedgerTableV3(db, 'ledger');
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
    await sql`alter table batches add column pass text not null default 'full' check (pass in (${sql.raw(quoted(['full', 'changes', 'children']))}))`.execute(db);
  },
  // 3: rollback. SQLite cannot alter a check constraint, so the ledger is rebuilt with the outcome
  // `rolled_back` allowed; every entry is copied as it was.
  async (db) => {
    await createLedgerTableV3(db, 'ledger_v3');
    await sql`insert into ledger_v3 select legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, error_code,
      error_message, batch_seq, first_seen_at, updated_at from ledger`.execute(db);
    await sql`drop table ledger`.execute(db);
    await sql`alter table ledger_v3 rename to ledger`.execute(db);
    await sql`create index ledger_outcome_sort on ledger (outcome, sort_key)`.execute(db);
  },
  // 4: replays that never touch someone else's account. The ledger learns whose Dynamic user an
  // entry is (`owner`), the outcome `conflict` and the identities last sent; `already_exists`
  // entries of before were users someone else held, so they become conflicts. `updated` entries of
  // before may be users a replay merged into someone's account: their owner stays unknown (never
  // updated again without --upsert). In-doubt keys, the limiter's sends and the rejections get
  // tables of their own; batches say whether they carry the cursor.
  async (db) => {
    await createLedgerTable(db, 'ledger_v4');
    await sql`insert into ledger_v4 select legacy_id, sort_key, dynamic_user_id,
        case outcome when 'already_exists' then 'conflict' else outcome end,
        payload_hash, error_code, error_message, batch_seq, first_seen_at, updated_at,
        case outcome when 'created' then 'job' when 'rolled_back' then 'job' when 'already_exists' then 'other' else null end,
        null
      from ledger`.execute(db);
    await sql`drop table ledger`.execute(db);
    await sql`alter table ledger_v4 rename to ledger`.execute(db);
    await sql`create index ledger_outcome_sort on ledger (outcome, sort_key)`.execute(db);
    await sql`create index ledger_owner_sort on ledger (owner, sort_key)`.execute(db);
    // Rebuilt, as SQLite cannot alter the pass check for `in_doubt`; every batch is copied as it was.
    await sql`create table batches_v4 (
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
      settled_at text,
      pass text not null default 'full' check (pass in (${sql.raw(quoted(BATCH_PASSES))})),
      positioned integer not null default 1 check (positioned in (0, 1)),
      sent_identities text not null default '{}'
    )`.execute(db);
    await sql`insert into batches_v4 select seq, first_key, last_key, legacy_ids, sent_count, state, upsert, attempts,
        planned_at, sent_at, settled_at, pass, case pass when 'children' then 0 else 1 end, '{}'
      from batches`.execute(db);
    // The autoincrement counter goes along (dropping batches would drop it): a seq discarded last,
    // above every batch kept, is never reused, or the cursor chain (cursor_seq) would skip its reuser.
    await sql`delete from sqlite_sequence where name = 'batches_v4'`.execute(db);
    await sql`update sqlite_sequence set name = 'batches_v4' where name = 'batches'`.execute(db);
    await sql`drop table batches`.execute(db);
    await sql`alter table batches_v4 rename to batches`.execute(db);
    await sql`create index batches_state_seq on batches (state, seq)`.execute(db);
    await sql`create table in_doubt (
      legacy_id text primary key,
      sort_key text not null unique,
      since text not null,
      reason text not null,
      identities text not null default '[]'
    )`.execute(db);
    await sql`create table sends (
      id integer primary key autoincrement,
      granted_at integer not null,
      done_at integer,
      answer text check (answer in ('accepted', 'refused', 'none'))
    )`.execute(db);
    await sql`create table rejections (
      sort_key text not null,
      ordinal integer not null,
      legacy_id text not null,
      batch_seq integer not null,
      field text not null,
      rule text not null,
      message text not null,
      value text,
      primary key (sort_key, ordinal)
    ) without rowid`.execute(db);
    await sql`create index rejections_batch on rejections (batch_seq)`.execute(db);
    // Version 3 recorded users an answer was silent about as failed (no_outcome): they may be in
    // Dynamic, created by the job. In doubt now, so the next run looks them up.
    // When their attempt went out is not known: since the job began, the earliest it can have been.
    await sql`insert into in_doubt (legacy_id, sort_key, since, reason)
      select legacy_id, sort_key, (select created_at from job), 'no_outcome' from ledger where outcome = 'failed' and error_code = 'no_outcome'`.execute(db);
    // What earlier runs rejected is in their files already.
    await sql`alter table job add column reported_seq integer not null default 0`.execute(db);
    await sql`update job set reported_seq = coalesce((select max(seq) from batches), 0)`.execute(db);
  },
  // 5: scopes. The checkpoint's queries are shared with the PostgreSQL state store, where each
  // part of a scaled-out job has a cursor chain (a job row), batches and in-doubt keys of its own;
  // an embedded checkpoint has one scope, the job's (1), which everything of before belongs to.
  async (db) => {
    await sql`alter table batches add column scope integer not null default 1`.execute(db);
    await sql`alter table in_doubt add column scope integer not null default 1`.execute(db);
    await sql`drop index batches_state_seq`.execute(db);
    await sql`create index batches_scope_state_seq on batches (scope, state, seq)`.execute(db);
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The ledger as versions 1 to 3 defined it (shipped: never changed). */
async function createLedgerTableV3(db: Kysely<CheckpointTables>, name: string): Promise<void> {
  const outcomes = ['created', 'updated', 'already_exists', 'failed', 'rejected', 'rolled_back'];
  await sql`create table ${sql.id(name)} (
      legacy_id text primary key,
      sort_key text not null unique,
      dynamic_user_id text,
      outcome text not null check (outcome in (${sql.raw(quoted(outcomes))})),
      payload_hash text,
      error_code text,
      error_message text,
      batch_seq integer not null,
      first_seen_at text not null,
      updated_at text not null
    )`.execute(db);
}

/** The ledger since version 4. */
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
      updated_at text not null,
      owner text check (owner in (${sql.raw(quoted(LEDGER_OWNERS))})),
      identity_hash text
    )`.execute(db);
}
