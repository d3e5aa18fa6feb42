import type { IncomingOutcome } from './merge-ledger-entry.js';
import { scrubMessage } from './scrub-message.js';

/** What the Dynamic API said about one user sent in the batch. */
export interface SettledOutcome {
  legacyId: string;
  outcome: 'created' | 'updated' | 'already_exists' | 'failed';
  dynamicUserId?: string;
  errorCode?: string;
  errorMessage?: string;
  /** Hash of the payload sent, so a later run can tell whether the user's data changed. */
  payloadHash?: string;
}

/** A row of the batch's key range that the mapper rejected locally (never sent). */
export interface SettledRejection {
  legacyId: string;
  field: string;
  rule: string;
  message: string;
  /** Masked value; not stored in the ledger (the rejects file carries it). */
  value?: string;
}

/** Everything a batch settles with: per-user API outcomes and local rejections. */
export interface SettleResult {
  outcomes: SettledOutcome[];
  rejections: SettledRejection[];
}

/**
 * Turns a settle result into ledger outcomes, in order: rejections first, then API outcomes (so an
 * API answer about the same id is the later word). Several rejections of one row become one entry:
 * the first rule as error code, every `field: message` in the message. Pure.
 */
export function toIncomingOutcomes(result: SettleResult): IncomingOutcome[] {
  const rejected = new Map<string, { rule: string; messages: string[] }>();
  for (const rejection of result.rejections) {
    const entry = rejected.get(rejection.legacyId) ?? { rule: rejection.rule, messages: [] };
    entry.messages.push(`${rejection.field}: ${rejection.message}`);
    rejected.set(rejection.legacyId, entry);
  }
  const incoming: IncomingOutcome[] = [...rejected].map(([legacyId, entry]) => ({
    legacyId,
    outcome: 'rejected',
    dynamicUserId: null,
    payloadHash: null,
    errorCode: entry.rule,
    errorMessage: scrubMessage(entry.messages.join('; ')),
  }));
  for (const outcome of result.outcomes) {
    incoming.push({
      legacyId: outcome.legacyId,
      outcome: outcome.outcome,
      dynamicUserId: outcome.dynamicUserId ?? null,
      payloadHash: outcome.payloadHash ?? null,
      errorCode: outcome.errorCode ?? null,
      errorMessage: scrubMessage(outcome.errorMessage),
    });
  }
  return incoming;
}
