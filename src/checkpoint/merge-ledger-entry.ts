import type { LedgerOutcome, LedgerOwner } from './checkpoint-schema.js';
import type { LedgerEntry } from './checkpoint-records.js';

/** What one settle says about one user, before it meets what the ledger already knows. */
export interface IncomingOutcome {
  legacyId: string;
  outcome: LedgerOutcome;
  dynamicUserId: string | null;
  payloadHash: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Whose Dynamic user this is, when the outcome tells (see `LEDGER_OWNERS`). */
  owner?: LedgerOwner | null;
  identityHash?: string | null;
}

/** Outcomes meaning "this legacy user is in Dynamic". */
export const IN_DYNAMIC_OUTCOMES: ReadonlySet<LedgerOutcome> = new Set(['created', 'updated', 'already_exists']);

/**
 * Folds a new outcome into the ledger entry for the same legacy id. Pure.
 *
 * - No entry yet: the new outcome is the entry.
 * - A failure, conflict or rejection never replaces a success: the user is in Dynamic whatever a
 *   later attempt said, and the id map must keep saying so.
 * - Otherwise the newer outcome wins (a retry that succeeded replaces the earlier failure), but a
 *   Dynamic user id, payload hash or identity hash already known is never erased by an outcome
 *   that has none.
 * - A user this job created stays this job's (`owner: 'job'`) whatever later sends do to it, so
 *   rollback finds it even after an incremental run updated it; but only while it is in Dynamic
 *   and the outcome is about that very user: once rolled back, or when a later outcome names
 *   another Dynamic user (an --upsert that reached someone else's account), that user is whoever's
 *   the outcome says, and rollback never deletes it.
 */
export function mergeLedgerEntry(
  existing: LedgerEntry | undefined,
  incoming: IncomingOutcome,
  context: { batchSeq: number; now: string },
): LedgerEntry {
  const fresh = {
    legacyId: incoming.legacyId,
    outcome: incoming.outcome,
    dynamicUserId: incoming.dynamicUserId,
    payloadHash: incoming.payloadHash,
    errorCode: incoming.errorCode,
    errorMessage: incoming.errorMessage,
    owner: incoming.owner ?? null,
    identityHash: incoming.identityHash ?? null,
  };
  if (existing === undefined) return { ...fresh, batchSeq: context.batchSeq, firstSeenAt: context.now, updatedAt: context.now };
  if (IN_DYNAMIC_OUTCOMES.has(existing.outcome) && !IN_DYNAMIC_OUTCOMES.has(incoming.outcome)) return existing;
  return {
    ...fresh,
    legacyId: existing.legacyId,
    dynamicUserId: incoming.dynamicUserId ?? existing.dynamicUserId,
    payloadHash: incoming.payloadHash ?? existing.payloadHash,
    owner: stillOurs(existing, incoming) ? 'job' : (incoming.owner ?? existing.owner),
    identityHash: incoming.identityHash ?? existing.identityHash,
    batchSeq: context.batchSeq,
    firstSeenAt: existing.firstSeenAt,
    updatedAt: context.now,
  };
}

/** The job's own user, still in Dynamic, and the new outcome about that same Dynamic user. */
function stillOurs(existing: LedgerEntry, incoming: IncomingOutcome): boolean {
  if (existing.owner !== 'job' || !IN_DYNAMIC_OUTCOMES.has(existing.outcome)) return false;
  // No id in the new outcome: nothing says it is another user. An id where none was known: it may be anyone's.
  return incoming.dynamicUserId === null || incoming.dynamicUserId === existing.dynamicUserId;
}
