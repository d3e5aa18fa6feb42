import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';

/** A database of its own for one test file. */
export interface TestDatabase {
  /** URL of the new database (same server and credentials as the provided `databaseUrl`). */
  url: string;
  /** Read-write handle, for creating tables and seeding. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test file has its own schema
  admin: Kysely<any>;
  /** Closes `admin` and drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates `test_<random>` on the server that the global setup provides, so test files can run in
 * parallel without seeing each other's rows. Call `drop()` in `afterAll`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withServer(serverUrl, (client) => client.query(`create database ${name}`));
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // `drop database ... with (force)` terminates backends; a client still closing then reports
  // "terminating connection due to administrator command", which is expected, not a failure.
  pool.on('error', () => {});
  const admin = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
  return {
    url,
    admin,
    drop: async () => {
      await admin.destroy();
      await withServer(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
