import type { BulkClient, UserOutcome } from '../load/index.js';
import { matchOutcomes } from '../load/index.js';
import { LoadError } from '../errors.js';
import type { PlannedBatch, PlannedUser } from './batch-builder.js';

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
 *
 * A batch the API refuses as a whole (400/422: nothing was stored) is split in halves and each half
 * sent again, down to single users, so one user the API will not take never blocks the others.
 */
export function httpBatchSender(client: BulkClient, legacyIdKey: string, warn: (message: string) => void = () => {}): BatchSender {
  const sendUsers = async (users: PlannedUser[], upsert: boolean, stop: AbortSignal): Promise<PipelineOutcome[]> => {
    try {
      const response = await client.send(users.map((user) => user.payload), { upsert, waitSignal: stop });
      return matchOutcomes(
        users.map(({ legacyId, payload }) => ({ legacyId, payload })),
        response,
        legacyIdKey,
        (unmatched) => warn(`the API returned a ${unmatched.kind} user that matches nothing in the batch (user id ${unmatched.user.id ?? 'unknown'})`),
      );
    } catch (error) {
      if (!(error instanceof LoadError) || error.code !== 'bad_request') throw error;
      if (users.length === 1) {
        const [user] = users as [PlannedUser];
        return [{ legacyId: user.legacyId, outcome: 'failed', errorCode: 'bad_request', errorMessage: error.message }];
      }
      const half = Math.ceil(users.length / 2);
      return [
        ...(await sendUsers(users.slice(0, half), upsert, stop)),
        ...(await sendUsers(users.slice(half), upsert, stop)),
      ];
    }
  };
  return { send: (batch, stop) => sendUsers(batch.users, batch.upsert, stop) };
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
