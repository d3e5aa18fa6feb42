import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresBackend } from '../../src/checkpoint/index.js';
import type { StateBackend } from '../../src/checkpoint/index.js';
import { holdRunLock } from '../../src/scale/run-lock.js';
import { openStatePool } from '../../src/scale/state-pool.js';
import type { StatePool } from '../../src/scale/state-pool.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { sql } from 'kysely';

// A state-database restart ends every session. pg emits `error` on a connection checked out of a
// pool when the server ends it; nobody listening, Node makes that an uncaught exception and the
// process dies (vitest fails the file on it). These end the session of a held run lock and of an
// open checkpoint transaction, as `pg_ctl restart` would, and check the process lives on.
describe('a state connection the server ends while it is checked out', () => {
  let state: TestDatabase;
  let pool: StatePool;
  let backend: StateBackend;
  const endSessions = (application: string) =>
    sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${application} and pid <> pg_backend_pid()`.execute(state.admin);

  beforeAll(async () => {
    state = await createTestDatabase();
    pool = openStatePool(state.url, { applicationName: 'dm-killed-lock', max: 2 });
    backend = await openPostgresBackend(`${state.url}${state.url.includes('?') ? '&' : '?'}application_name=dm-killed-tx`, 'killed', { create: true });
  });
  afterAll(async () => {
    await backend?.close();
    await pool?.close();
    await state?.drop();
  });

  it('leaves a held run lock released by the server, not the process dead', async () => {
    const lock = await holdRunLock(pool, 'killed', { wait: false });
    await endSessions('dm-killed-lock');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the error event arrives on its own
    await lock.release();
    // The server released the lock with the session: it can be taken again.
    const again = await holdRunLock(pool, 'killed', { wait: false });
    await again.release();
  });

  it('fails an open checkpoint transaction, not the process', async () => {
    const transaction = backend.sql.transaction(async (tx) => {
      await tx.get('select 1 as one');
      await endSessions('dm-killed-tx');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.get('select 1 as one');
    });
    await expect(transaction).rejects.toThrow();
    // The pool hands out a fresh connection afterwards.
    expect(await backend.sql.get<{ one: number }>('select 1 as one')).toEqual({ one: 1 });
  });
});
