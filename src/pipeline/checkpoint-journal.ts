import type { CheckpointStore, LedgerOutcome } from '../checkpoint/index.js';
import type { Journal, LedgerView } from './journal.js';

const IN_DYNAMIC: ReadonlySet<LedgerOutcome> = new Set(['created', 'updated', 'already_exists']);

/**
 * The job's checkpoint store seen as a {@link Journal}. On resume, the batches an earlier run left
 * planned or sent are in doubt: their keys are remembered (to be re-sent with upsert) and the
 * batches dropped from the journal, since they will be planned again under new numbers.
 */
export function checkpointJournal(store: CheckpointStore): Journal {
  return {
    async resumePoint() {
      const inDoubtKeys = await store.inDoubtKeys();
      await store.discardUnsettled();
      const job = await store.job();
      return {
        phase: job?.phase ?? 'full',
        cursor: job?.cursor ?? null,
        inDoubtKeys,
        incrementalSince: job?.incrementalSince ?? null,
        childWatermarks: job?.childWatermarks ?? {},
      };
    },
    async ledger(keys) {
      const entries = await store.ledgerEntries(keys);
      const views = new Map<string, LedgerView>();
      for (const [key, entry] of entries) views.set(key, { inDynamic: IN_DYNAMIC.has(entry.outcome), payloadHash: entry.payloadHash });
      return views;
    },
    // The pipeline marks a batch sent (durably) before its request goes out, and settles an empty
    // batch (durably) at once: either write also makes the plan durable, so it need not wait itself.
    plan: (batch) => store.planBatch(batch, { durable: false }),
    markSent: (seq) => store.markSent(seq),
    settle: (seq, outcomes, rejections) => store.settleBatch(seq, { outcomes, rejections }),
    recordIncrementalSince: (since) => store.recordIncrementalSince(since),
    enterIncremental: (cursor) => store.enterIncremental(cursor),
    setChildWatermark: (child, upper) => store.setChildWatermark(child, upper),
  };
}
