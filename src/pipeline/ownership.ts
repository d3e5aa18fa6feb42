import type { LedgerView } from './journal.js';

/**
 * Dynamic's clock and ours may disagree by this much: a user created this long before our attempt
 * went out may still be its doing.
 */
export const CLOCK_SKEW_MS = 60_000;

/** What is known when a Dynamic user carrying this row's legacy id turns up. */
export interface FoundContext {
  /**
   * When the earliest attempt of this job that may have created it went out (ms since the epoch):
   * the lost attempt of a user in doubt, or the first attempt of this request when one may have
   * landed. Undefined: no attempt of ours can have made it.
   */
  attemptSince: number | undefined;
  /** What the ledger knew about the row before. */
  known: LedgerView | undefined;
}

/**
 * Whose a Dynamic user carrying this row's legacy id is: this job's own (`job`: made by one of its
 * attempts whose answer was lost; rollback deletes it), another's that carries the legacy id
 * (`legacy_id`: e.g. made by a job since reset; ours to update, never rolled back by this job), or
 * (`unknown`) one this job must not touch: the ledger knows that very user as someone else's, or
 * recorded it without an owner (before schema 4: maybe a merge of old). The ledger's word on that
 * very user comes first; otherwise a user is the job's only if an attempt of ours may have made it
 * and Dynamic created it after that attempt went out. Pure.
 */
export function ownerOfFound(found: { dynamicUserId: string; createdAt?: string | undefined }, ctx: FoundContext): 'job' | 'legacy_id' | 'unknown' {
  const { known } = ctx;
  if (known?.dynamicUserId === found.dynamicUserId) {
    if (known.owner === 'job' && known.inDynamic) return 'job';
    if (known.owner === 'legacy_id') return 'legacy_id';
    if (known.owner === 'other' || known.outcome === 'conflict' || known.owner === null) return 'unknown';
  }
  const createdAt = found.createdAt === undefined ? Number.NaN : Date.parse(found.createdAt);
  if (ctx.attemptSince !== undefined && createdAt >= ctx.attemptSince - CLOCK_SKEW_MS) return 'job';
  return 'legacy_id';
}
