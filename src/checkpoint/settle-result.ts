import type { LedgerOwner } from './checkpoint-schema.js';
import type { IncomingOutcome } from './merge-ledger-entry.js';
import { scrubMessage } from './scrub-message.js';

/** What the Dynamic API said about one user sent in the batch (and what a look-up made of it). */
export interface SettledOutcome {
  legacyId: string;
  /** `in_doubt`: the answer said nothing about it; kept in doubt for the next run, not in the ledger. */
  outcome: 'created' | 'updated' | 'already_exists' | 'conflict' | 'failed' | 'in_doubt';
  owner?: LedgerOwner;
  dynamicUserId?: string;
  errorCode?: string;
  errorMessage?: string;
  /** Hash of the payload sent, so a later run can tell whether the user's data changed. */
  payloadHash?: string;
  /** Hash of the identities sent, so a later run can tell whether an upsert could reach another account. */
  identityHash?: string;
}

/** A row of the batch's key range that the mapper rejected locally (never sent). */
export interface SettledRejection {
  legacyId: string;
  field: string;
  rule: string;
  message: string;
  /** Masked value; kept in the rejections table for the rejects files, not in the ledger. */
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
 * the first rule as error code, every `field: message` in the message. In-doubt outcomes are not
 * ledger outcomes (see {@link inDoubtOf}). Pure.
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
    if (outcome.outcome === 'in_doubt') continue;
    incoming.push({
      legacyId: outcome.legacyId,
      outcome: outcome.outcome,
      dynamicUserId: outcome.dynamicUserId ?? null,
      payloadHash: outcome.payloadHash ?? null,
      errorCode: outcome.errorCode ?? null,
      errorMessage: scrubMessage(outcome.errorMessage),
      owner: outcome.owner ?? null,
      identityHash: outcome.identityHash ?? null,
    });
  }
  return incoming;
}

/** The users a settle leaves in doubt, with why (the code the answer gave, e.g. `no_outcome`). */
export function inDoubtOf(result: SettleResult): Array<{ legacyId: string; reason: string }> {
  return result.outcomes
    .filter((outcome) => outcome.outcome === 'in_doubt')
    .map((outcome) => ({ legacyId: outcome.legacyId, reason: outcome.errorCode ?? 'in_doubt' }));
}
