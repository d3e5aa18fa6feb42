import { checkpointPath } from './checkpoint-path.js';
import { CheckpointStore } from './checkpoint-store.js';
import { openPostgresCheckpoint } from './postgres-state.js';

/** Where a job's checkpoint is: the embedded file under `checkpointDir`, or the state database at `stateUrl`. */
export interface CheckpointLocation {
  job: string;
  checkpointDir: string;
  /** `--state-url` / `DYNAMIC_MIGRATE_STATE_URL`: a PostgreSQL every worker of the job reaches. */
  stateUrl?: string | undefined;
}

/** Opens the whole-job scope of a job's checkpoint wherever it is kept. */
export function openJobCheckpoint(where: CheckpointLocation, options: { create: boolean; client?: string }): Promise<CheckpointStore> {
  if (where.stateUrl) return openPostgresCheckpoint(where.stateUrl, where.job, options);
  return CheckpointStore.open(checkpointPath(where.checkpointDir, where.job), { create: options.create });
}
