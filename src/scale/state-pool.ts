import pg from 'pg';
import { CheckpointError, MigrateError, coerceError } from '../errors.js';
import { describeSource, redactSecrets, secretsOfDatabaseUrl } from '../extract/describe-source.js';
import { scrubText } from '../shared/scrub-text.js';

/** A connection pool on the state database that the scale-out pieces share, and how to name it safely. */
export interface StatePool {
  pool: pg.Pool;
  /** `host:port/database`: what a message may say about the state database (never its URL). */
  where: string;
  /** The URL and its password (raw and decoded): what no message may contain. */
  secrets: readonly string[];
  /** Ends the pool if this module opened it; a pool the caller passed in stays theirs to end. */
  close(): Promise<void>;
}

/**
 * The state database as a pool: opened on `state` when it is a URL (at most `max` connections,
 * `application_name` shown in `pg_stat_activity`), or the caller's own pool. An idle connection the
 * server drops (a restart, a failover) emits `error` on the pool, which would crash the process
 * unhandled; it is ignored here, and the next query opens a fresh connection. Connecting is lazy.
 */
export function openStatePool(state: string | pg.Pool, options: { applicationName: string; max?: number }): StatePool {
  if (typeof state !== 'string') {
    const { host, port, database, connectionString, password } = state.options;
    const where = connectionString ? describeSource(connectionString) : `${host ?? 'localhost'}:${port ?? 5432}/${database ?? ''}`;
    const secrets = [...(connectionString ? secretsOfDatabaseUrl(connectionString) : []), ...(typeof password === 'string' && password ? [password] : [])];
    return { pool: state, where, secrets, close: async () => {} };
  }
  const where = describeSource(state); // first: a URL it cannot parse is refused before any pool exists
  const pool = new pg.Pool({ connectionString: state, max: options.max ?? 4, application_name: options.applicationName });
  pool.on('error', () => {});
  let ended: Promise<void> | undefined;
  return { pool, where, secrets: secretsOfDatabaseUrl(state), close: () => (ended ??= pool.end()) };
}

/**
 * A driver or engine error as a `CheckpointError` (code `state_database_error`) saying what was
 * being done and where, with every secret of the state URL removed from the message and from the
 * cause (loggers print causes too: the cause is a redacted copy keeping only message and SQLSTATE).
 * Our own errors and aborts pass through unchanged.
 */
export function toStateError(thrown: unknown, doing: string, state: Pick<StatePool, 'where' | 'secrets'>): Error {
  if (thrown instanceof MigrateError) return thrown;
  const error = coerceError(thrown);
  if (error.name === 'AbortError') return error;
  const message = scrubText(redactSecrets(error.message, state.secrets));
  const cause = new Error(message);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(cause, { code });
  return new CheckpointError(`${doing} (state database ${state.where}): ${message}`, { code: 'state_database_error' }, { cause });
}
