import type { SendJournal } from '../load/index.js';
import * as journal from './batch-journal.js';
import type { BatchRecord, LedgerEntry } from './checkpoint-records.js';
import type { LedgerOutcome, LedgerOwner } from './checkpoint-schema.js';
import { readInDoubt, readInDoubtDetails, type InDoubtDetail } from './in-doubt.js';
import { JobCheckpoint } from './job-checkpoint.js';
import { readJob } from './job-row.js';
import { markRolledBack, pageLedger, readLedgerEntries } from './ledger-queries.js';
import { openDatabase } from './open-database.js';
import { readCounts, type CheckpointStatus } from './read-counts.js';
import { markRejectionsReported, unreportedRejections } from './rejection-records.js';
import { checkpointSendJournal } from './send-records.js';
import type { SettleResult, SettledRejection } from './settle-result.js';

/** A line of the legacy-id → Dynamic-id map. */
export interface IdMapEntry {
  legacyId: string;
  dynamicUserId: string | null;
  outcome: LedgerOutcome;
  /** Whose Dynamic user it is (`job` = created by this job); null when none or unknown. */
  owner: LedgerOwner | null;
}

/** A legacy row rejected locally, as the ledger remembers it. */
export interface RejectionEntry {
  legacyId: string;
  rule: string | null;
  message: string | null;
}

/**
 * The checkpoint of one migration job: an SQLite file holding the job's fingerprint, phase and
 * cursor (job-checkpoint.ts), the batch journal planned → sent → settled (batch-journal.ts) and the
 * per-user ledger (ledger-queries.ts). Every settle is one transaction and every write resolves
 * once it is on disk, so a kill -9 or a power cut loses at most the batches in flight. Statements
 * are prepared once per open file; no write is a per-user round trip.
 */
export class CheckpointStore extends JobCheckpoint {
  /**
   * Opens the checkpoint at `path`; with `create`, makes it (mode 0600) when missing.
   * @throws CheckpointError `checkpoint_missing` (no file and no `create`), `checkpoint_damaged`
   *   (not SQLite, not ours, schema incomplete) or `checkpoint_version` (written by a newer version).
   */
  static async open(path: string, options: { create: boolean; now?: () => Date }): Promise<CheckpointStore> {
    const handle = await openDatabase(path, options);
    try {
      return new CheckpointStore(path, handle, options.now ?? (() => new Date()), readJob(handle.raw, path));
    } catch (error) {
      await handle.db.destroy();
      if (handle.raw.open) handle.raw.close();
      throw error;
    }
  }

  /**
   * Journals a batch before it is sent; batches must be planned in key order (the cursor follows
   * seq). `firstKey`..`lastKey` is the key range read, rejected rows included; `sendKeys` the ids
   * actually sent; `children` batches never move the cursor. With `durable: false` it resolves
   * without waiting for the disk: for a caller whose next write (`markSent`, right before the
   * request goes out) is awaited as durable, which makes this one durable too. @returns the seq.
   */
  async planBatch(input: journal.PlannedBatchInput, options: { durable?: boolean } = {}): Promise<number> {
    this.requireJob();
    if (options.durable === false) return journal.planBatch(this.raw, input, this.timestamp());
    return this.write((now) => journal.planBatch(this.raw, input, now));
  }

  /** Records that the batch's request is about to go out (or went out again). */
  async markSent(seq: number): Promise<void> {
    await this.write((now) => journal.markSent(this.raw, seq, now));
  }

  /**
   * Settles a batch in one transaction: ledger entries for every outcome and rejection (merged with
   * earlier ones, see `mergeLedgerEntry`), the batch settled, the cursor advanced over the
   * contiguous settled prefix. On any error nothing of it is written.
   */
  async settleBatch(seq: number, result: SettleResult): Promise<void> {
    await this.write((now) => journal.settleBatch(this.raw, seq, result, now));
  }

  /** Batches planned or sent but never settled, in seq order: after a crash their fate is unknown. */
  async unsettledBatches(): Promise<BatchRecord[]> {
    return journal.unsettledBatches(this.raw);
  }

  /**
   * Every user whose fate is unknown: keys of unsettled batches and users an answer was silent
   * about (after `discardUnsettled`, all of them are in the in-doubt table).
   */
  async inDoubtKeys(): Promise<Set<string>> {
    return new Set([...readInDoubt(this.raw), ...journal.unsettledBatches(this.raw).flatMap((batch) => batch.legacyIds)]);
  }

  /** Since when each key is in doubt and the identities its attempts carried (after `discardUnsettled`). */
  async inDoubtDetails(): Promise<Map<string, InDoubtDetail>> {
    return readInDoubtDetails(this.raw);
  }

  /** One journal entry, settled or not; undefined when unknown or discarded. */
  async batch(seq: number): Promise<BatchRecord | undefined> {
    return journal.batchBySeq(this.raw, seq);
  }

  /**
   * Forgets the unsettled batches at the start of a resumed run, their keys moved into the
   * in-doubt table in the same transaction. The cursor chain restarts after every batch journaled
   * so far: the resumed run replays the in-doubt users, re-reads from the cursor, skips keys the
   * ledger already holds, and plans fresh batches in key order.
   */
  discardUnsettled(): Promise<void> {
    return this.changeJob((now) => journal.discardUnsettled(this.raw, now));
  }

  /** What the ledger knows about these keys (keys never settled are absent from the map). */
  async ledgerEntries(keys: string[]): Promise<Map<string, LedgerEntry>> {
    return readLedgerEntries(this.raw, keys);
  }

  /** Counts by outcome and batch state, for `status`. */
  async status(): Promise<CheckpointStatus> {
    await this.job();
    const job = this.requireJob();
    return { job, cursor: job.cursor, ...readCounts(this.raw) };
  }

  /** Every ledger entry, legacy-id order (numeric ids numerically), streamed page by page. */
  async *idMap(options: { pageSize?: number } = {}): AsyncGenerator<IdMapEntry> {
    for await (const e of pageLedger(this.raw, options)) yield { legacyId: e.legacyId, dynamicUserId: e.dynamicUserId, outcome: e.outcome, owner: e.owner };
  }

  /** Ledger entries with one of `outcomes` (and `owner`, if given), legacy-id order, streamed page by page. */
  ledgerByOutcome(outcomes: readonly LedgerOutcome[], options: { pageSize?: number; owner?: LedgerOwner } = {}): AsyncGenerator<LedgerEntry> {
    return pageLedger(this.raw, { ...options, outcomes });
  }

  /**
   * The rate limiter's send log in this checkpoint (see `checkpointSendJournal`), keeping `retainMs`
   * of history: a restarted run starts with its predecessor's slots of the last window taken.
   */
  sendJournal(options: { retainMs: number; now?: () => number }): SendJournal {
    return checkpointSendJournal(this.raw, options);
  }

  /**
   * The broken rules recorded since the last run that wrote its rejects files, legacy-id order;
   * call `markRejectionsReported(through)` once they are written.
   */
  unreportedRejections(): { through: number; rows: AsyncGenerator<SettledRejection> } {
    return unreportedRejections(this.raw);
  }

  markRejectionsReported(through: number): Promise<void> {
    return this.write((now) => markRejectionsReported(this.raw, through, now));
  }

  /**
   * Records that rollback deleted this job's user from Dynamic (or found it gone): outcome
   * `created` becomes `rolled_back`, the Dynamic id is kept. One statement, durable at once, so a
   * killed rollback resumes after the last deletion it recorded.
   * @returns false when the entry was not `created` (unknown, or already rolled back).
   */
  async markRolledBack(legacyId: string): Promise<boolean> {
    return this.write((now) => markRolledBack(this.raw, legacyId, now));
  }

  /** Rows rejected locally, legacy-id order; rule and field-prefixed message, never the value. */
  async *rejections(options: { pageSize?: number } = {}): AsyncGenerator<RejectionEntry> {
    for await (const e of pageLedger(this.raw, { ...options, outcomes: ['rejected'] })) yield { legacyId: e.legacyId, rule: e.errorCode, message: e.errorMessage };
  }
}
