import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../src/shared/start-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a PostgreSQL server whose user may CREATE DATABASE; read with `inject('databaseUrl')`. */
    databaseUrl: string;
  }
}

/**
 * Global setup of the `integration` project: uses `DATABASE_URL` when set, otherwise starts a
 * throwaway PostgreSQL for the whole run and removes it afterwards. Each test file then makes its
 * own database on it (test/helpers/postgres.ts), so files run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.DATABASE_URL;
  if (given) {
    project.provide('databaseUrl', given);
    return async () => {};
  }
  const started = Date.now();
  const server = await startPostgres();
  if (process.env.DEBUG_TEST_POSTGRES) console.log(`test PostgreSQL started in ${Date.now() - started} ms`);
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}
