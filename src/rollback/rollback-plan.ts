import type { LedgerOutcome, LedgerOwner } from '../checkpoint/index.js';

/** Why a ledger entry is left alone by rollback. */
export type KeepReason = 'existed_before' | 'updated_only' | 'conflict' | 'no_dynamic_id' | 'never_created';

/** Words for each reason, as the preview prints them. */
export const KEEP_REASON_TEXT: Readonly<Record<KeepReason, string>> = {
  existed_before: 'already in Dynamic before this job, carrying its legacy id (outcome already_exists): not created by this job',
  updated_only: 'updated, not created, by this job (outcome updated): it existed before',
  conflict: 'someone else holds its email, wallet or account in Dynamic (outcome conflict): never touched',
  no_dynamic_id: 'created, but no Dynamic id was recorded: find it with `reconcile` and delete it by hand',
  never_created: 'never reached Dynamic (outcome failed or rejected)',
};

/** How many legacy ids the preview names per group. */
const SAMPLE_SIZE = 5;

/** What rollback would do, from the ledger alone: counts and a few legacy ids per group. */
export interface RollbackPlan {
  /** Users this job created, with a Dynamic id, still to delete. */
  toDelete: number;
  toDeleteSamples: string[];
  /** Deleted by an earlier (perhaps interrupted) rollback. */
  alreadyRolledBack: number;
  /** Users left alone, by reason. */
  kept: Record<KeepReason, { count: number; samples: string[] }>;
}

export function emptyRollbackPlan(): RollbackPlan {
  const group = () => ({ count: 0, samples: [] as string[] });
  return {
    toDelete: 0,
    toDeleteSamples: [],
    alreadyRolledBack: 0,
    kept: { existed_before: group(), updated_only: group(), conflict: group(), no_dynamic_id: group(), never_created: group() },
  };
}

/**
 * The one rule of rollback: exactly the Dynamic users this job created are deleted (owner `job`:
 * created directly, or found by look-up after an answer was lost), whatever later runs did to
 * them (an incremental run that updated one leaves it this job's). A user that existed before the
 * job (a person may be using it) is never touched. Pure.
 */
export function classifyForRollback(entry: { outcome: LedgerOutcome; dynamicUserId: string | null; owner: LedgerOwner | null }): 'delete' | 'done' | KeepReason {
  switch (entry.outcome) {
    case 'rolled_back': return 'done';
    case 'created':
    case 'updated':
    case 'already_exists':
      if (entry.owner === 'job') return entry.dynamicUserId ? 'delete' : 'no_dynamic_id';
      return entry.outcome === 'already_exists' ? 'existed_before' : 'updated_only';
    case 'conflict': return 'conflict';
    case 'failed':
    case 'rejected': return 'never_created';
  }
}

/** Folds one ledger entry into the plan (mutates and returns it, for streaming over millions). */
export function addToRollbackPlan(
  plan: RollbackPlan,
  entry: { legacyId: string; outcome: LedgerOutcome; dynamicUserId: string | null; owner: LedgerOwner | null },
): RollbackPlan {
  const verdict = classifyForRollback(entry);
  if (verdict === 'delete') {
    plan.toDelete += 1;
    if (plan.toDeleteSamples.length < SAMPLE_SIZE) plan.toDeleteSamples.push(entry.legacyId);
  } else if (verdict === 'done') {
    plan.alreadyRolledBack += 1;
  } else {
    const group = plan.kept[verdict];
    group.count += 1;
    if (group.samples.length < SAMPLE_SIZE) group.samples.push(entry.legacyId);
  }
  return plan;
}
