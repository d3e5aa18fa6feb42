import { Kysely, PostgresDialect, type LogConfig, type PostgresPool } from 'kysely';
import pg from 'pg';
import { createCopyReader } from './copy-reader.js';
import { describeSource, secretsOfDatabaseUrl } from './describe-source.js';
import { readWithCopy } from './select-rows.js';
import { toExtractError } from './to-extract-error.js';

/** A Kysely handle on a legacy database whose tables the tool does not know at compile time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the legacy schema is the user's, not ours
export type SourceDb = Kysely<any>;

/** Options of {@link connectSource}. */
export interface ConnectSourceOptions {
  /**
   * Most connections the pool opens. The extractor reads one page at a time, so few are needed.
   * @default 2
   */
  maxConnections?: number;
  /**
   * Kysely's `log` option, e.g. `(event) => count++` to count queries in tests.
   * @default undefined
   */
  log?: LogConfig;
  /**
   * `application_name` shown in `pg_stat_activity`, so a DBA can see who is reading.
   * @default 'dynamic-migrate'
   */
  applicationName?: string;
}

/**
 * Opens a read-only Kysely handle on the legacy PostgreSQL database behind `databaseUrl`.
 *
 * Every connection runs `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY` before its first
 * query, so even a bug cannot write to the legacy database. Source rows are read with COPY on the
 * same connections (see `selectRows`). `int8` values stay strings (pg's default), so primary keys
 * stay exact; `timestamptz` values are Dates as pg makes them. Connecting is lazy: a bad host or
 * password surfaces on the first query, as an `ExtractError` naming `host:port/dbname` and never
 * the password.
 * Throws `ConfigError` at once when the URL cannot be parsed. Call `destroy()` when done.
 */
export function connectSource(databaseUrl: string, opts: ConnectSourceOptions = {}): SourceDb {
  const source = describeSource(databaseUrl);
  const secrets = secretsOfDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.maxConnections ?? 2,
    application_name: opts.applicationName ?? 'dynamic-migrate',
  });
  // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would crash
  // the process. The next query gets a fresh connection or fails with an ExtractError instead.
  pool.on('error', () => {});

  const readOnly = new WeakSet<pg.PoolClient>();
  const connect = async (): Promise<pg.PoolClient> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
      if (readOnly.has(client)) return client;
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY').catch((error: unknown) => {
        client.release(true);
        throw error;
      });
    } catch (error) {
      throw toExtractError(error, `cannot connect to the source database ${source}`, secrets);
    }
    readOnly.add(client);
    return client;
  };
  const guardedPool: PostgresPool = { connect, end: () => pool.end() };

  const db: SourceDb = new Kysely({
    dialect: new PostgresDialect({ pool: guardedPool }),
    ...(opts.log ? { log: opts.log } : {}),
  });
  readWithCopy(db, createCopyReader(connect, opts.log));
  return db;
}
