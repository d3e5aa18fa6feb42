import { existsSync } from 'node:fs';
import { CheckpointStore, JOB_SCOPE, checkpointPath, openPostgresBackend, otherApiThanJob } from '../checkpoint/index.js';
import { acquireJobLock, lockPathFor } from '../checkpoint/job-lock.js';
import { ConfigError } from '../errors.js';
import type { RollbackConfig, RollbackResult } from './rollback-config.js';
import { addToRollbackPlan, emptyRollbackPlan, type RollbackPlan } from './rollback-plan.js';
import { deleteCreatedUsers, type RollbackObserver } from './delete-created-users.js';

/** An opened rollback: the job lock held, the checkpoint open, the plan read from the ledger. */
export interface RollbackSession {
  readonly plan: RollbackPlan;
  /** The environment the users will be deleted from (the job's own). */
  readonly environmentId: string;
  /** The checkpoint file, or the state database and schema (never a password). */
  readonly checkpoint: string;
  /** Deletes what the plan says; each deletion is recorded in the ledger as it happens. */
  execute(options?: { observer?: RollbackObserver; signal?: AbortSignal }): Promise<RollbackResult>;
  /** Closes the checkpoint and releases the lock (reverse order of opening). */
  close(): Promise<void>;
}

type Releasers = Array<() => Promise<void>>;

/**
 * Opens a job for rollback: takes the job lock (no run of the job may settle batches meanwhile),
 * opens its checkpoint and reads the plan from the ledger. Deletes nothing. The lock is the file's
 * lock file, or with `stateUrl` the job's run lock in the state database, and no worker of the
 * job may be live.
 * @throws CheckpointError when the job has no checkpoint (exit 2) or is locked by a live run or
 *   worker (exit 2).
 * @throws ConfigError when `environmentId` differs from the job's: its Dynamic ids belong to the job's environment.
 */
export async function openRollback(config: RollbackConfig): Promise<RollbackSession> {
  const releasers: Releasers = [];
  const close = async () => {
    for (const release of releasers.splice(0).reverse()) await release();
  };
  try {
    const store = config.stateUrl ? await openSharedCheckpoint(config.stateUrl, config.job, releasers) : await openFileCheckpoint(config, releasers);
    const job = await store.job();
    const jobEnvironment = job?.fingerprint.environmentId ?? null;
    if (!job || !jobEnvironment) throw new ConfigError(`job ${config.job} never sent anything to Dynamic (no environment recorded): nothing to roll back`);
    if (config.environmentId && config.environmentId !== jobEnvironment) {
      throw new ConfigError(`job ${config.job} ran against environment ${jobEnvironment}, not ${config.environmentId}: its users can only be rolled back there`);
    }
    const otherApi = otherApiThanJob(job.fingerprint, config.job, config.apiUrl);
    if (otherApi) throw new ConfigError(otherApi);
    const plan = emptyRollbackPlan();
    for await (const entry of store.idMap()) addToRollbackPlan(plan, entry);
    return {
      plan,
      environmentId: jobEnvironment,
      checkpoint: store.path,
      execute: (options = {}) => {
        if (!config.token) throw new ConfigError('missing the API token: set DYNAMIC_API_TOKEN');
        return deleteCreatedUsers(store, { ...config, environmentId: jobEnvironment, token: config.token }, options);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The embedded checkpoint under its lock file. */
async function openFileCheckpoint(config: RollbackConfig, releasers: Releasers): Promise<CheckpointStore> {
  const checkpointFile = checkpointPath(config.checkpointDir, config.job);
  if (!existsSync(checkpointFile)) {
    // Checked before the lock, so a mistyped job name leaves no lock file behind.
    await CheckpointStore.open(checkpointFile, { create: false });
  }
  const lock = await acquireJobLock(lockPathFor(checkpointFile));
  releasers.push(() => lock.release());
  const store = await CheckpointStore.open(checkpointFile, { create: false });
  releasers.push(() => store.close());
  return store;
}

/**
 * The job's checkpoint in the state database, under its run lock (held until the session closes)
 * and with none of its workers live. Loaded on use: the embedded path never loads the scale-out code.
 */
async function openSharedCheckpoint(stateUrl: string, job: string, releasers: Releasers): Promise<CheckpointStore> {
  const { openStatePool } = await import('../scale/state-pool.js');
  const { holdRunLock } = await import('../scale/run-lock.js');
  const { refuseLiveWorkers } = await import('../scale/worker-registry.js');
  // One connection: the lock's. The checkpoint has a pool of its own.
  const statePool = openStatePool(stateUrl, { applicationName: 'dynamic-migrate rollback', max: 1 });
  releasers.push(() => statePool.close());
  const lock = await holdRunLock(statePool, job, { wait: false });
  releasers.push(() => lock.release());
  const backend = await openPostgresBackend(stateUrl, job, { create: false });
  const store = await CheckpointStore.over(backend, { scope: JOB_SCOPE });
  releasers.push(() => store.close());
  await refuseLiveWorkers(backend.sql, job, 'rolling it back');
  return store;
}
