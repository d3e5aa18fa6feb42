import type { LedgerView } from './journal.js';

/**
 * Dynamic's clock and ours may disagree by this much: a user created this long before the job
 * started may still be one of its own attempts.
 */
export const CLOCK_SKEW_MS = 60_000;

/** What is known when a Dynamic user carrying this row's legacy id turns up. */
export interface FoundContext {
  /** An attempt of this job may have created it: the user was in doubt, or an earlier attempt of this request may have landed. */
  maybeOurs: boolean;
  /** What the ledger knew about the row before. */
  known: LedgerView | undefined;
  /** When this job started (ms since the epoch); undefined: unknown (no user is then taken for the job's own but by the ledger). */
  jobStartedAt: number | undefined;
}

/**
 * Whose a Dynamic user carrying this row's legacy id is: this job's own (`job`: created by one of
 * its attempts whose answer was lost; rollback deletes it), or another's that carries the legacy
 * id (`legacy_id`: e.g. a job since reset; ours to update, never rolled back by this job), or
 * (`unknown`) one the ledger could not vouch for. A user is the job's only if the ledger says so,
 * or if one of its attempts may have made it and Dynamic created it after the job started: a
 * user there before the job is never taken for the job's, whatever its metadata says. Pure.
 */
export function ownerOfFound(found: { dynamicUserId: string; createdAt?: string | undefined }, ctx: FoundContext): 'job' | 'legacy_id' | 'unknown' {
  const { known } = ctx;
  if (known?.inDynamic && known.dynamicUserId === found.dynamicUserId && known.owner === 'job') return 'job';
  const createdSinceJob = ctx.jobStartedAt !== undefined && found.createdAt !== undefined && Date.parse(found.createdAt) >= ctx.jobStartedAt - CLOCK_SKEW_MS;
  if (ctx.maybeOurs && createdSinceJob && !(known?.inDynamic && known.owner !== 'job')) return 'job';
  // Recorded before schema 4 without an owner: only the job's own, by the rule above, is trusted.
  if (known?.inDynamic && known.owner === null) return createdSinceJob ? 'job' : 'unknown';
  return 'legacy_id';
}
