import type { LedgerOutcome } from './checkpoint-schema.js';
import type { LedgerEntry } from './checkpoint-records.js';

/** What one settle says about one user, before it meets what the ledger already knows. */
export interface IncomingOutcome {
  legacyId: string;
  outcome: LedgerOutcome;
  dynamicUserId: string | null;
  payloadHash: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

const SUCCESS: ReadonlySet<LedgerOutcome> = new Set(['created', 'updated', 'already_exists']);

/**
 * Folds a new outcome into the ledger entry for the same legacy id. Pure.
 *
 * - No entry yet: the new outcome is the entry.
 * - A failure or rejection never replaces a success: the user is in Dynamic whatever a later
 *   attempt said, and the id map must keep saying so.
 * - Otherwise the newer outcome wins (a retry that succeeded replaces the earlier failure), but a
 *   Dynamic user id or payload hash already known is never erased by an outcome that has none.
 */
export function mergeLedgerEntry(
  existing: LedgerEntry | undefined,
  incoming: IncomingOutcome,
  context: { batchSeq: number; now: string },
): LedgerEntry {
  if (existing === undefined) {
    return { ...incoming, batchSeq: context.batchSeq, firstSeenAt: context.now, updatedAt: context.now };
  }
  if (SUCCESS.has(existing.outcome) && !SUCCESS.has(incoming.outcome)) return existing;
  return {
    legacyId: existing.legacyId,
    outcome: incoming.outcome,
    dynamicUserId: incoming.dynamicUserId ?? existing.dynamicUserId,
    payloadHash: incoming.payloadHash ?? existing.payloadHash,
    errorCode: incoming.errorCode,
    errorMessage: incoming.errorMessage,
    batchSeq: context.batchSeq,
    firstSeenAt: existing.firstSeenAt,
    updatedAt: context.now,
  };
}
