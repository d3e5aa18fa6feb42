/** The checkpoint store: one SQLite file per job with its fingerprint, cursor, batch journal and ledger. */
export { CheckpointStore, type IdMapEntry, type RejectionEntry } from './checkpoint-store.js';
export type { CheckpointStatus } from './read-counts.js';
export type { BatchRecord, JobRecord, LedgerEntry } from './checkpoint-records.js';
export {
  BATCH_PASSES, BATCH_STATES, JOB_PHASES, LEDGER_OUTCOMES, SCHEMA_VERSION,
  type BatchPass, type BatchState, type JobPhase, type LedgerOutcome,
} from './checkpoint-schema.js';
export { checkpointPath, removeCheckpoint, JOB_NAME_PATTERN } from './checkpoint-path.js';
export { fingerprintDifferences, type Fingerprint } from './fingerprint.js';
export type { SettleResult, SettledOutcome, SettledRejection } from './settle-result.js';
export { scrubMessage } from './scrub-message.js';
