import { stateSchemaName } from '../checkpoint/index.js';
import { CheckpointError } from '../errors.js';
import { checkOut } from '../shared/checked-out-client.js';
import { toStateError } from './state-pool.js';
import type { StatePool } from './state-pool.js';

/** A job's run lock, held until `release` (safe to call twice). */
export interface RunLock {
  release(): Promise<void>;
}

/**
 * Takes job `job`'s run lock in the state database: a PostgreSQL advisory lock on a connection of
 * its own, kept until `release`, or released by the server when the process dies with its
 * connection (no stale lock to clear by hand, unlike a lock file). It is what the embedded
 * checkpoint's lock file is: one planner, one incremental run, one rollback or reset at a time.
 * The connection is the pool's for as long as the lock is held: a pool of `max: 1` has none left.
 * With `wait: false` a lock held elsewhere is refused at once.
 * @throws CheckpointError `job_locked` (exit 2) when `wait` is false and the lock is held;
 *   `state_database_error` when the state database cannot be reached.
 */
export async function holdRunLock(state: StatePool, job: string, options: { wait: boolean }): Promise<RunLock> {
  const key = `dynamic-migrate:run:${stateSchemaName(job)}`;
  // A lock the server drops with its connection (a restart) is gone: the listener keeps the process alive.
  const checkedOut = await checkOut(state.pool).catch((error: unknown) => {
    throw toStateError(error, `taking the run lock of job "${job}"`, state);
  });
  const connection = checkedOut.client;
  try {
    if (options.wait) await connection.query('select pg_advisory_lock(hashtext($1))', [key]);
    else {
      const { rows } = await connection.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [key]);
      if (!rows[0]?.locked) {
        throw new CheckpointError(`job "${job}" is being run, rolled back or reset by another process (state database ${state.where}); wait for it`, { code: 'job_locked', exitCode: 2 });
      }
    }
  } catch (error) {
    checkedOut.release();
    throw toStateError(error, `taking the run lock of job "${job}"`, state);
  }
  let released: Promise<void> | undefined;
  const release = async () => {
    try {
      await connection.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    } finally {
      checkedOut.release();
    }
  };
  return { release: () => (released ??= release()) };
}

/**
 * Runs `body` holding job `job`'s run lock (see {@link holdRunLock}), released when the body ends.
 * @throws CheckpointError `job_locked` (exit 2) when `wait` is false and the lock is held.
 */
export async function withRunLock<T>(state: StatePool, job: string, options: { wait: boolean }, body: () => Promise<T>): Promise<T> {
  const lock = await holdRunLock(state, job, options);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}
