/** Rollback: delete from Dynamic exactly the users one job created, from its ledger, resumably. */
export { openRollback, type RollbackSession } from './rollback-session.js';
export type { RollbackConfig, RollbackResult } from './rollback-config.js';
export type { RollbackObserver } from './delete-created-users.js';
export type { DeleteTargetUserOptions } from './delete-target-user.js';
export { addToRollbackPlan, classifyForRollback, emptyRollbackPlan, type KeepReason, type RollbackPlan } from './rollback-plan.js';
export { formatRollbackPreview, formatRollbackResult } from './format-rollback.js';
export { confirmByName } from './confirm-by-name.js';
