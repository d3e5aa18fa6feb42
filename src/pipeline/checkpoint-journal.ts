import type { CheckpointStore } from '../checkpoint/index.js';
import type { Journal } from './journal.js';

/**
 * The job's checkpoint store seen as a {@link Journal}. On resume, the batches an earlier run left
 * planned or sent are in doubt: their keys are remembered (to be re-sent with upsert) and the
 * batches dropped from the journal, since they will be planned again under new numbers.
 */
export function checkpointJournal(store: CheckpointStore): Journal {
  return {
    async resumePoint() {
      const job = await store.job();
      const inDoubtKeys = await store.inDoubtKeys();
      await store.discardUnsettled();
      return { cursor: job?.cursor ?? null, inDoubtKeys };
    },
    async settledKeys(keys) {
      const entries = await store.ledgerEntries(keys);
      return new Set(entries.keys());
    },
    plan: (batch) => store.planBatch(batch),
    markSent: (seq) => store.markSent(seq),
    settle: (seq, outcomes, rejections) => store.settleBatch(seq, { outcomes, rejections }),
  };
}
