import { randomInt } from 'node:crypto';
import pg from 'pg';
import { inTransaction, quoteIdent, schemaExists } from '../shared/checked-out-client.js';
import { CheckpointError, coerceError } from '../errors.js';
import { describeSource, redactSecrets, secretsOfDatabaseUrl } from '../extract/describe-source.js';
import type { SendAnswer, SendJournal, SendRecord } from '../load/index.js';
import { scrubText } from '../shared/scrub-text.js';
import { BATCH_PASSES, BATCH_STATES, JOB_PHASES, LEDGER_OUTCOMES, LEDGER_OWNERS } from './checkpoint-schema.js';
import { CheckpointStore, JOB_SCOPE, type StateBackend } from './checkpoint-store.js';
import { JOB_NAME_PATTERN } from './checkpoint-path.js';
import type { StateSql } from './state-sql.js';

/**
 * The checkpoint in a shared PostgreSQL (`--state-url`): the tables of the embedded checkpoint,
 * one schema per job (`dm_<job>`), run by the same queries (state-sql.ts). What differs from the
 * SQLite file: a commit is durable when PostgreSQL says so (no WAL sync of ours), the job table
 * holds a row per scope, seqs come from one identity shared by every scope, and sort keys compare
 * byte-wise (`collate "C"`, as SQLite does) whatever the database's collation.
 */

const quoted = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/**
 * Versions of the PostgreSQL state schema, applied in order in one transaction under an advisory
 * lock, so workers starting together create it once. Append, never edit a shipped one. Version 1
 * is the embedded checkpoint's schema 5 plus the limiter's sends per client address.
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<readonly string[]> = [
  [
    `create table job (
      id integer primary key,
      name text not null,
      fingerprint text not null,
      cursor text,
      cursor_seq integer not null default 0,
      created_at text not null,
      updated_at text not null,
      last_run_started_at text,
      last_run_finished_at text,
      phase text not null default 'full' check (phase in (${quoted(JOB_PHASES)})),
      incremental_since text,
      child_watermarks text not null default '{}',
      reported_seq integer not null default 0
    )`,
    `create table batches (
      seq integer generated always as identity primary key,
      scope integer not null default 1,
      first_key text not null,
      last_key text not null,
      legacy_ids text not null,
      sent_count integer not null,
      state text not null check (state in (${quoted(BATCH_STATES)})),
      upsert integer not null check (upsert in (0, 1)),
      attempts integer not null default 0,
      planned_at text not null,
      sent_at text,
      settled_at text,
      pass text not null default 'full' check (pass in (${quoted(BATCH_PASSES)})),
      positioned integer not null default 1 check (positioned in (0, 1)),
      sent_identities text not null default '{}'
    )`,
    'create index batches_scope_state_seq on batches (scope, state, seq)',
    `create table ledger (
      legacy_id text primary key,
      sort_key text collate "C" not null unique,
      dynamic_user_id text,
      outcome text not null check (outcome in (${quoted(LEDGER_OUTCOMES)})),
      payload_hash text,
      error_code text,
      error_message text,
      batch_seq integer not null,
      first_seen_at text not null,
      updated_at text not null,
      owner text check (owner in (${quoted(LEDGER_OWNERS)})),
      identity_hash text
    )`,
    'create index ledger_outcome_sort on ledger (outcome, sort_key)',
    'create index ledger_owner_sort on ledger (owner, sort_key)',
    `create table in_doubt (
      legacy_id text primary key,
      sort_key text collate "C" not null unique,
      since text not null,
      reason text not null,
      identities text not null default '[]',
      scope integer not null default 1
    )`,
    `create table rejections (
      sort_key text collate "C" not null,
      ordinal integer not null,
      legacy_id text not null,
      batch_seq integer not null,
      field text not null,
      rule text not null,
      message text not null,
      value text,
      primary key (sort_key, ordinal)
    )`,
    'create index rejections_batch on rejections (batch_seq)',
    // One window per sending address: each worker's own per-IP budget.
    `create table sends (
      client text not null,
      id bigint not null,
      granted_at bigint not null,
      done_at bigint,
      answer text check (answer in ('accepted', 'refused', 'none')),
      primary key (client, id)
    )`,
  ],
  // 2: scale-out. The plan of the full pass, one row per chunk (its scope is 1 + chunk): chunk n
  // covers after_key < key <= last_key, null being an open end. And the workers sharing the job,
  // with what each last said of itself (a worker whose seen_at is old is gone).
  [
    `create table chunks (
      chunk integer primary key,
      after_key text,
      last_key text,
      rows bigint not null,
      planned_at timestamptz not null default now()
    )`,
    `create table workers (
      id text primary key,
      host text not null,
      pid integer not null,
      address text,
      started_at timestamptz not null default now(),
      seen_at timestamptz not null default now(),
      chunk integer,
      requests_last_minute integer not null default 0,
      users_last_minute integer not null default 0,
      stopped_at timestamptz
    )`,
  ],
];

const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** The schema of `job` in the state database. */
export function stateSchemaName(job: string): string {
  // PostgreSQL cuts identifiers at 63 bytes: a longer name would silently share a schema.
  if (!JOB_NAME_PATTERN.test(job) || job.length > 60) {
    throw new CheckpointError(`job name "${job}" cannot name a state schema: use 1 to 60 letters, digits, '.', '_' or '-'`, { code: 'checkpoint_job_name' });
  }
  return `dm_${job}`;
}


/** `?` placeholders as pg's `$1, $2, ...` (the checkpoint's queries hold no literal `?`). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** pg's answer as StateSql's: a statement on any connection of the pool, a transaction on one. */
function postgresStateSql(pool: pg.Pool): StateSql {
  const on = (run: (text: string, params: unknown[]) => Promise<pg.QueryResult>): Omit<StateSql, 'transaction'> => ({
    dialect: 'postgres',
    all: async <Row>(text: string, ...params: unknown[]) => (await run(numbered(text), params)).rows as Row[],
    get: async <Row>(text: string, ...params: unknown[]) => (await run(numbered(text), params)).rows[0] as Row | undefined,
    run: async (text, ...params) => (await run(numbered(text), params)).rowCount ?? 0,
  });
  const nested = (): never => {
    throw new Error('a checkpoint transaction cannot open another one');
  };
  return {
    ...on((text, params) => pool.query(text, params)),
    transaction: (body) => inTransaction(pool, (client) => body({ ...on((text, params) => client.query(text, params)), transaction: nested })),
  };
}

async function migrate(pool: pg.Pool, schema: string, create: boolean, label: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`dynamic-migrate:${schema}`]);
    if (!create && !(await schemaExists(client, schema))) {
      throw new CheckpointError(`no checkpoint for job ${schema.slice(3)} in ${label}`, { code: 'checkpoint_missing', exitCode: 2 });
    }
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
    await client.query(`create table if not exists ${quoteIdent(schema)}.schema_version (version integer not null)`);
    const found = (await client.query<{ version: number | null }>(`select max(version) as version from ${quoteIdent(schema)}.schema_version`)).rows[0]?.version ?? 0;
    if (found > POSTGRES_SCHEMA_VERSION) {
      throw new CheckpointError(
        `the state schema of ${label} has version ${found}, newer than this dynamic-migrate understands (${POSTGRES_SCHEMA_VERSION}); upgrade dynamic-migrate`,
        { code: 'checkpoint_version' },
      );
    }
    await client.query(`set local search_path = ${quoteIdent(schema)}`);
    for (const statements of POSTGRES_MIGRATIONS.slice(found)) for (const statement of statements) await client.query(statement);
    if (found < POSTGRES_SCHEMA_VERSION) {
      await client.query('delete from schema_version');
      await client.query('insert into schema_version (version) values ($1)', [POSTGRES_SCHEMA_VERSION]);
    }
  });
}

/**
 * The limiter's sends of `client` (its local address): read once when the store opens, so the
 * limiter gets them synchronously; each new send is written behind, in order, without holding the
 * request back. A kill -9 may lose the last few milliseconds of them, as the SQLite file's
 * unsynced writes may be lost to a power cut: the limiter then only counts fewer of its own slots.
 */
function postgresSendJournal(db: StateSql, client: string, preloaded: SendRecord[], options: { retainMs: number; now?: () => number }): SendJournal & { flush(): Promise<void> } {
  const now = options.now ?? Date.now;
  // Ids unique per process and client: two processes on one address share that address's window.
  let nextId = randomInt(2 ** 40) * 1000;
  let writes: Promise<unknown> = Promise.resolve();
  let failed: Error | undefined;
  const later = (text: string, ...params: unknown[]) => {
    writes = writes.then(() => db.run(text, ...params)).catch((error: unknown) => {
      failed ??= coerceError(error);
    });
  };
  return {
    recent() {
      later('delete from sends where client = ? and coalesce(done_at, granted_at) < ?', client, now() - options.retainMs);
      return preloaded.filter((record) => (record.doneAt ?? record.grantedAt) >= now() - options.retainMs);
    },
    sent(grantedAt) {
      const id = ++nextId;
      later('insert into sends (client, id, granted_at) values (?, ?, ?)', client, id, grantedAt);
      return id;
    },
    answered(id, doneAt, answer: SendAnswer) {
      later('update sends set done_at = ?, answer = ? where client = ? and id = ?', doneAt, answer, client, id);
    },
    async flush() {
      await writes;
      if (failed) throw failed;
    },
  };
}

export interface OpenPostgresBackendOptions {
  /** Create the job's schema when missing (and upgrade it in any case). */
  create: boolean;
  /** Whose sends the rate limiter reads back (the local address requests go out from). @default 'default' */
  client?: string;
  /** Connections of this backend, shared by every store over it. @default 4 */
  maxConnections?: number;
}

export interface OpenPostgresOptions extends OpenPostgresBackendOptions {
  /** The job row whose cursor chain this store works in. @default 1, the whole job */
  scope?: number;
  now?: () => Date;
}

/**
 * Opens job `job`'s schema in the state database at `stateUrl`: creates or upgrades it (creates it
 * only with `create`), opens the pool and reads the limiter's sends of `client` back. Stores of any
 * scope go over it (`CheckpointStore.over`); closing it ends the pool. Messages name the database
 * by host, port and name; the driver's own text is scrubbed of the URL's secrets.
 * @throws CheckpointError `checkpoint_missing`, `checkpoint_version`, `checkpoint_job_name`,
 *   `checkpoint_unreachable`.
 */
export async function openPostgresBackend(stateUrl: string, job: string, options: OpenPostgresBackendOptions): Promise<StateBackend> {
  const schema = stateSchemaName(job);
  const label = `${describeSource(stateUrl)} (schema ${schema})`;
  const pool = new pg.Pool({ connectionString: stateUrl, max: options.maxConnections ?? 4, options: `-c search_path=${quoteIdent(schema)}` });
  // A connection the server dropped (a restart) is discarded by the pool; the next query opens another.
  pool.on('error', () => {});
  const sql = postgresStateSql(pool);
  const client = options.client ?? 'default';
  let preloaded: SendRecord[];
  try {
    await migrate(pool, schema, options.create, label);
    preloaded = (await sql.all<{ granted_at: string; done_at: string | null; answer: SendAnswer | null }>(
      'select granted_at, done_at, answer from sends where client = ? order by granted_at', client,
    )).map((row): SendRecord => ({ grantedAt: Number(row.granted_at), doneAt: row.done_at === null ? null : Number(row.done_at), answer: row.answer }));
  } catch (error) {
    await pool.end();
    if (error instanceof CheckpointError) throw error;
    // The driver may quote what it was given (a server or proxy echoing it, a parse error).
    const reason = scrubText(redactSecrets(coerceError(error).message, secretsOfDatabaseUrl(stateUrl)));
    throw new CheckpointError(`cannot open the state database ${label}: ${reason}`, { code: 'checkpoint_unreachable' }, { cause: error });
  }
  const journals: Array<{ flush(): Promise<void> }> = [];
  return {
    sql,
    label,
    durable: async () => {},
    sendJournal: (journalOptions) => {
      const journal = postgresSendJournal(sql, client, preloaded, journalOptions);
      journals.push(journal);
      return journal;
    },
    async close() {
      try {
        for (const journal of journals) await journal.flush().catch(() => undefined);
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * Opens job `job`'s checkpoint in the state database at `stateUrl` (see `openPostgresBackend`), as
 * a store of `scope` that owns its backend: closing the store ends the pool.
 * @throws CheckpointError as `openPostgresBackend` does.
 */
export async function openPostgresCheckpoint(stateUrl: string, job: string, options: OpenPostgresOptions): Promise<CheckpointStore> {
  const backend = await openPostgresBackend(stateUrl, job, options);
  return CheckpointStore.over(backend, { scope: options.scope ?? JOB_SCOPE, ...(options.now ? { now: options.now } : {}) });
}
