/** The checkpoint store: one SQLite file per job with its fingerprint, cursor, batch journal and ledger. */
export { CheckpointStore, type IdMapEntry, type RejectionEntry } from './checkpoint-store.js';
export type { CheckpointStatus } from './read-counts.js';
export type { BatchRecord, JobRecord, LedgerEntry } from './checkpoint-records.js';
export {
  SCHEMA_VERSION,
  type BatchPass, type BatchState, type JobPhase, type LedgerOutcome, type LedgerOwner,
} from './checkpoint-schema.js';
export { IN_DYNAMIC_OUTCOMES } from './merge-ledger-entry.js';
export { checkpointPath, removeCheckpoint } from './checkpoint-path.js';
export { apiOrigin, changesTarget, fingerprintDifferences, otherApiThanJob, type Fingerprint } from './fingerprint.js';
export type { SettleResult, SettledOutcome, SettledRejection } from './settle-result.js';
export {
  openPostgresBackend, stateSchemaName, type OpenPostgresBackendOptions, type OpenPostgresOptions,
} from './postgres-state.js';
export { JOB_SCOPE, type StateBackend } from './checkpoint-store.js';
export { openJobCheckpoint, type CheckpointLocation } from './open-job-checkpoint.js';
