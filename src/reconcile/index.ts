/** Reconcile: compares eligible source rows, the job's ledger and what Dynamic lists; read-only. */
export { compareUser, type ComparedField } from './compare-user.js';
export { comparableFromPayload, type ComparableUser } from './comparable-user.js';
export { formatReconcileReport, EXAMPLES_PER_CATEGORY } from './format-reconcile-report.js';
export { listTargetUsers, type ListTargetUsersOptions } from './list-target-users.js';
export { reconcileConfigSchema, type ReconcileConfig } from './reconcile-config.js';
export * from './reconcile-report.js';
export { Reconciler, type LedgerItem, type SourceItem } from './reconciler.js';
export { rowsStillPresent } from './rows-still-present.js';
export { runReconcile, type ReconcileObserver } from './run-reconcile.js';
export { toTargetUser, type ApiUserRecord, type TargetUser } from './target-user.js';
