import { openPostgresBackend, stateSchemaName } from '../checkpoint/index.js';
import { ConfigError } from '../errors.js';
import { inTransaction, quoteIdent, schemaExists } from '../shared/checked-out-client.js';
import { QUEUE_SCHEMA, queueName as chunkQueueName } from './chunk-queue.js';
import { holdRunLock } from './run-lock.js';
import { openStatePool, toStateError } from './state-pool.js';
import type { StatePool } from './state-pool.js';
import { refuseLiveWorkers } from './worker-registry.js';

/**
 * Where job `job` is kept in the state database at `stateUrl`, for the confirmation `reset` asks
 * for: `host:port/database (schema dm_<job>)`, never the URL.
 * @throws ConfigError when the database holds no such job (no schema `dm_<job>`).
 */
export async function findSharedJob(stateUrl: string, job: string): Promise<string> {
  const schema = stateSchemaName(job);
  const state = openStatePool(stateUrl, { applicationName: 'dynamic-migrate reset', max: 1 });
  try {
    const found = await schemaExists(state.pool, schema).catch((error: unknown) => {
      throw toStateError(error, `looking for job "${job}"`, state);
    });
    if (!found) throw new ConfigError(`no job "${job}" in ${state.where} (no schema ${schema}): nothing to reset`);
    return `${state.where} (schema ${schema})`;
  } finally {
    await state.close();
  }
}

/**
 * Forgets job `job` in the state database: deletes its chunks from the queue (pg-boss's queue
 * `chunks:<job>`), then drops its schema `dm_<job>` (checkpoint, ledger, plan, workers) with
 * everything in it. The queue goes first: a plan queued again after a half-done reset must not
 * find its chunks already done. Done under the job's run lock (refused at once when another
 * process holds it) and refused while any of its workers is live. Users already in Dynamic stay;
 * the environment's shared request budget is not the job's and stays too.
 * @throws ConfigError when the database holds no such job; CheckpointError `job_locked` (exit 2)
 *   when the job is locked or has live workers, `state_database_error` when the database fails.
 */
export async function removeSharedJob(stateUrl: string, job: string): Promise<void> {
  const schema = stateSchemaName(job);
  // The lock's connection and one for the queries.
  const state = openStatePool(stateUrl, { applicationName: 'dynamic-migrate reset', max: 2 });
  try {
    const lock = await holdRunLock(state, job, { wait: false });
    try {
      if (!(await schemaExists(state.pool, schema))) throw new ConfigError(`no job "${job}" in ${state.where} (no schema ${schema}): nothing to reset`);
      const backend = await openPostgresBackend(stateUrl, job, { create: false, maxConnections: 1 });
      try {
        await refuseLiveWorkers(backend.sql, job, 'resetting it');
      } finally {
        await backend.close();
      }
      if (await schemaExists(state.pool, QUEUE_SCHEMA)) await deleteChunkQueue(state, chunkQueueName(job));
      await state.pool.query(`drop schema ${quoteIdent(schema)} cascade`);
    } finally {
      await lock.release();
    }
  } catch (error) {
    throw toStateError(error, `resetting job "${job}"`, state);
  } finally {
    await state.close();
  }
}

/**
 * What pg-boss 10's `deleteQueue` does, made to work on a queue that still holds jobs: its
 * `delete_queue()` deletes the queue's row while the queue's partition of `job` still references it
 * (a foreign key `ON DELETE RESTRICT`, checked at once though declared deferrable), so it fails on
 * any queue with a job in it
 * (timgit/pg-boss#553, fixed in pg-boss 11 only). The jobs go first, then the queue and its
 * partition by pg-boss's own function, and the archived jobs too; all or nothing.
 */
async function deleteChunkQueue(state: StatePool, queue: string): Promise<void> {
  await inTransaction(state.pool, async (client) => {
    await client.query(`delete from ${QUEUE_SCHEMA}.job where name = $1`, [queue]);
    await client.query(`select ${QUEUE_SCHEMA}.delete_queue(name) from ${QUEUE_SCHEMA}.queue where name = $1`, [queue]);
    await client.query(`delete from ${QUEUE_SCHEMA}.archive where name = $1`, [queue]);
  });
}
