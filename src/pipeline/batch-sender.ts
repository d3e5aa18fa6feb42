import type { BulkClient, UserOutcome } from '../load/index.js';
import { matchOutcomes } from '../load/index.js';
import type { PlannedBatch } from './batch-builder.js';

/** Outcome kinds the pipeline counts: the loader's, plus `would_send` for a dry run. */
export type PipelineOutcome = Omit<UserOutcome, 'outcome'> & {
  outcome: UserOutcome['outcome'] | 'would_send';
};

/** Sends one batch and says what became of each user in it. */
export interface BatchSender {
  /**
   * `stop` is the run's stop signal: it may cut a wait short (rate limit, backoff), but a request
   * already on the wire is always allowed to finish, since its answer is what settles the batch.
   */
  send(batch: PlannedBatch, stop: AbortSignal): Promise<PipelineOutcome[]>;
}

/**
 * The real sender: one bulk request per batch, outcomes matched back to legacy ids. An outcome that
 * matches nothing we sent is worth a warning: the mapping's legacy id key may not round-trip.
 */
export function httpBatchSender(client: BulkClient, legacyIdKey: string, warn: (message: string) => void = () => {}): BatchSender {
  return {
    async send(batch, stop) {
      const response = await client.send(
        batch.users.map((user) => user.payload),
        { upsert: batch.upsert, waitSignal: stop },
      );
      return matchOutcomes(
        batch.users.map(({ legacyId, payload }) => ({ legacyId, payload })),
        response,
        legacyIdKey,
        (unmatched) => warn(`the API returned a ${unmatched.kind} user that matches nothing in the batch (user id ${unmatched.user.id ?? 'unknown'})`),
      );
    },
  };
}

/** The dry-run sender: no HTTP at all; hands each would-be payload to `write` (the payloads file). */
export function dryRunBatchSender(write: (line: unknown) => void): BatchSender {
  return {
    async send(batch) {
      for (const user of batch.users) write({ legacyId: user.legacyId, upsert: batch.upsert, payload: user.payload });
      return batch.users.map((user) => ({ legacyId: user.legacyId, outcome: 'would_send' as const }));
    },
  };
}
