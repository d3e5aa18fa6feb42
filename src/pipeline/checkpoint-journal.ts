import { IN_DYNAMIC_OUTCOMES, type CheckpointStore } from '../checkpoint/index.js';
import type { Journal, LedgerView } from './journal.js';

/**
 * The job's checkpoint store seen as a {@link Journal}. On resume, the batches an earlier run left
 * planned or sent are in doubt: in one transaction their keys move into the in-doubt table and the
 * batches leave the journal (they will be planned again under new numbers); then the in-doubt keys
 * are read. A kill between any two of these steps loses nothing.
 */
export function checkpointJournal(store: CheckpointStore): Journal {
  return {
    async resumePoint() {
      await store.discardUnsettled();
      const inDoubtKeys = await store.inDoubtKeys();
      const inDoubtDetails = await store.inDoubtDetails();
      const job = await store.job();
      return {
        phase: job?.phase ?? 'full',
        cursor: job?.cursor ?? null,
        inDoubtKeys,
        inDoubtDetails,
        incrementalSince: job?.incrementalSince ?? null,
        childWatermarks: job?.childWatermarks ?? {},
      };
    },
    async ledger(keys) {
      const entries = await store.ledgerEntries(keys);
      const views = new Map<string, LedgerView>();
      for (const [key, entry] of entries) {
        views.set(key, {
          outcome: entry.outcome, inDynamic: IN_DYNAMIC_OUTCOMES.has(entry.outcome), owner: entry.owner,
          dynamicUserId: entry.dynamicUserId, payloadHash: entry.payloadHash, identityHash: entry.identityHash,
        });
      }
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
    sendJournal: (options) => store.sendJournal(options),
    unreportedRejections: () => store.unreportedRejections(),
    markRejectionsReported: (through) => store.markRejectionsReported(through),
  };
}
