import type pg from 'pg';

/** A connection taken from a pool for a transaction or a session lock. */
export interface CheckedOutClient {
  client: pg.PoolClient;
  /** The server ended the connection (a restart, a failover) while it was out. */
  readonly broken: boolean;
  /** Gives it back; a broken one (or one the caller says to `discard`) is closed, not reused. */
  release(discard?: boolean): void;
}

/**
 * Checks a connection out of `pool` with a listener for its `error` event. pg-pool listens on idle
 * connections only: a checked-out one that the server ends (`pg_ctl restart`) emits `error` with
 * nobody listening, which Node turns into an uncaught exception that kills the process. With the
 * listener the query in progress fails instead, and the caller's recovery takes over.
 */
export async function checkOut(pool: pg.Pool): Promise<CheckedOutClient> {
  let broken = false;
  const onError = () => {
    broken = true;
  };
  // Listening from inside the callback: after `await`, a fresh connection's socket may already
  // have delivered an error (it arrived with the "ready" message) to nobody.
  const client = await new Promise<pg.PoolClient>((resolve, reject) => {
    pool.connect((error, connected) => {
      if (error || !connected) {
        reject(error ?? new Error('the pool gave no connection'));
        return;
      }
      connected.on('error', onError);
      resolve(connected);
    });
  });
  return {
    client,
    get broken() {
      return broken;
    },
    release(discard = false) {
      client.removeListener('error', onError);
      client.release(broken || discard);
    },
  };
}

/**
 * Runs `body` in a transaction on a connection of its own (checked out as {@link checkOut} does):
 * committed when it resolves, rolled back when it throws, the connection given back either way.
 */
export async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const checkedOut = await checkOut(pool);
  const { client } = checkedOut;
  try {
    await client.query('begin');
    const result = await body(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    checkedOut.release();
  }
}

/** `name` as a quoted SQL identifier. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Whether the database holds schema `schema`. */
export async function schemaExists(db: Pick<pg.Pool | pg.PoolClient, 'query'>, schema: string): Promise<boolean> {
  return (await db.query('select 1 from information_schema.schemata where schema_name = $1', [schema])).rowCount !== 0;
}
