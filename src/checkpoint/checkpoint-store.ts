import type { Kysely } from 'kysely';
import { CheckpointError } from '../errors.js';
import { advanceCursor } from './advance-cursor.js';
import { toBatchRecord, toJobRecord, type BatchRecord, type JobRecord, type LedgerEntry } from './checkpoint-records.js';
import type { BatchPass, CheckpointTables, LedgerOutcome } from './checkpoint-schema.js';
import { enterIncrementalPhase, recordIncrementalSince, setChildWatermark } from './job-phase.js';
import { fingerprintDifferences, type Fingerprint } from './fingerprint.js';
import { pageLedger, readLedgerEntries, writeLedgerEntries } from './ledger-queries.js';
import { mergeLedgerEntry } from './merge-ledger-entry.js';
import { openDatabase, type OpenDatabase } from './open-database.js';
import { readCounts, type CheckpointStatus } from './read-counts.js';
import { toIncomingOutcomes, type SettleResult } from './settle-result.js';

/** A line of the legacy-id → Dynamic-id map. */
export interface IdMapEntry {
  legacyId: string;
  dynamicUserId: string | null;
  outcome: LedgerOutcome;
}

/** A legacy row rejected locally, as the ledger remembers it. */
export interface RejectionEntry {
  legacyId: string;
  rule: string | null;
  message: string | null;
}

/**
 * The checkpoint of one migration job: an SQLite file holding the job's fingerprint, the cursor,
 * the batch journal (planned → sent → settled) and the per-user ledger. Every settle is one
 * transaction, committed with a full fsync, so a kill -9 loses at most the batches in flight.
 */
export class CheckpointStore {
  private constructor(
    readonly path: string,
    private readonly handle: OpenDatabase,
    private readonly now: () => Date,
    private cachedJob: JobRecord | undefined,
  ) {}

  private get db(): Kysely<CheckpointTables> {
    return this.handle.db;
  }

  /**
   * Opens the checkpoint at `path`; with `create`, makes it (mode 0600) when missing.
   * @throws CheckpointError `checkpoint_missing` (no file and no `create`), `checkpoint_damaged`
   *   (not SQLite, not ours, schema incomplete) or `checkpoint_version` (written by a newer version).
   */
  static async open(path: string, options: { create: boolean; now?: () => Date }): Promise<CheckpointStore> {
    const handle = await openDatabase(path, options);
    try {
      const row = await handle.db.selectFrom('job').selectAll().where('id', '=', 1).executeTakeFirst();
      const job = row ? toJobRecord(path, row) : undefined;
      return new CheckpointStore(path, handle, options.now ?? (() => new Date()), job);
    } catch (error) {
      await handle.db.destroy();
      if (handle.raw.open) handle.raw.close();
      throw error;
    }
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  private requireJob(): JobRecord {
    if (!this.cachedJob) {
      throw new CheckpointError(`checkpoint ${this.path} has no job yet: call startJob first`, { code: 'checkpoint_no_job' });
    }
    return this.cachedJob;
  }

  /** The job this checkpoint belongs to; undefined before `startJob`. */
  async job(): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('job').selectAll().where('id', '=', 1).executeTakeFirst();
    this.cachedJob = row ? toJobRecord(this.path, row) : undefined;
    return this.cachedJob;
  }

  /**
   * Records the job on its first run, or replaces the fingerprint of the same job (the caller has
   * already accepted the differences). Cursor and ledger are kept.
   * @throws CheckpointError `checkpoint_job_mismatch` when the file belongs to another job name.
   */
  async startJob(name: string, fingerprint: Fingerprint): Promise<JobRecord> {
    const now = this.timestamp();
    const existing = await this.job();
    if (existing && existing.name !== name) {
      throw new CheckpointError(`checkpoint ${this.path} belongs to job "${existing.name}", not "${name}"`, {
        code: 'checkpoint_job_mismatch',
      });
    }
    const json = JSON.stringify(fingerprint);
    if (existing) {
      await this.db.updateTable('job').set({ fingerprint: json, updated_at: now }).where('id', '=', 1).execute();
    } else {
      await this.db
        .insertInto('job')
        .values({
          id: 1, name, fingerprint: json, cursor: null, cursor_seq: 0, created_at: now, updated_at: now,
          phase: 'full', incremental_since: null, child_watermarks: '{}',
        })
        .execute();
    }
    await this.job();
    return this.requireJob();
  }

  /** How `current` differs from the fingerprint the job was started with (empty when no job yet). */
  fingerprintDifferences(current: Fingerprint): string[] {
    return this.cachedJob ? fingerprintDifferences(this.cachedJob.fingerprint, current) : [];
  }

  /** Marks the start of a run (a start later than the last finish means a run is going on, or died). */
  async recordRunStart(): Promise<void> {
    this.requireJob();
    const now = this.timestamp();
    await this.db.updateTable('job').set({ last_run_started_at: now, updated_at: now }).where('id', '=', 1).execute();
    await this.job();
  }

  /**
   * Records, once per job, where incremental reads start (the database's `now() - lag` before the
   * first run reads anything). Later calls keep the first value.
   * @returns the value in force.
   */
  async recordIncrementalSince(since: string): Promise<string> {
    this.requireJob();
    const value = await recordIncrementalSince(this.db, since, this.timestamp());
    await this.job();
    return value;
  }

  /**
   * Switches the job from its full pass to incremental runs, starting at `cursor` (the change
   * cursor at `incrementalSince`, formatted by the caller).
   * @throws CheckpointError `checkpoint_phase` when batches are unsettled or the job is not in its full pass.
   */
  async enterIncremental(cursor: string): Promise<void> {
    this.requireJob();
    await enterIncrementalPhase(this.db, cursor, this.timestamp());
    await this.job();
  }

  /** Records that `child`'s changes up to `upper` (database time) have all been processed. */
  async setChildWatermark(child: string, upper: string): Promise<void> {
    this.requireJob();
    await setChildWatermark(this.db, child, upper, this.timestamp());
    await this.job();
  }

  /** Marks the end of a run that was not killed. */
  async recordRunEnd(): Promise<void> {
    this.requireJob();
    const now = this.timestamp();
    await this.db.updateTable('job').set({ last_run_finished_at: now, updated_at: now }).where('id', '=', 1).execute();
    await this.job();
  }

  /**
   * Journals a batch before it is sent. Batches must be planned in key order: the cursor follows seq.
   * @param input.firstKey, input.lastKey the key range read for this batch, rejected rows included.
   * @param input.sendKeys the legacy ids actually sent (may be empty when every row was rejected).
   * @param input.pass which pass planned it (default `full`); `children` batches never move the cursor.
   * @returns the batch's seq.
   */
  async planBatch(input: { firstKey: string; lastKey: string; sendKeys: string[]; upsert: boolean; pass?: BatchPass }): Promise<number> {
    this.requireJob();
    const row = await this.db
      .insertInto('batches')
      .values({
        first_key: input.firstKey,
        last_key: input.lastKey,
        legacy_ids: JSON.stringify(input.sendKeys),
        sent_count: input.sendKeys.length,
        state: 'planned',
        upsert: input.upsert ? 1 : 0,
        attempts: 0,
        planned_at: this.timestamp(),
        pass: input.pass ?? 'full',
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    return row.seq;
  }

  /** Records that the batch's request is about to go out (or went out again). */
  async markSent(seq: number): Promise<void> {
    const result = await this.db
      .updateTable('batches')
      .set((eb) => ({ state: 'sent', attempts: eb('attempts', '+', 1), sent_at: this.timestamp() }))
      .where('seq', '=', seq)
      .where('state', 'in', ['planned', 'sent'])
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      throw new CheckpointError(`batch ${seq} cannot be marked sent: it is unknown or already settled`, {
        code: 'checkpoint_batch_state',
      });
    }
  }

  /**
   * Settles a batch in one transaction: ledger entries for every outcome and rejection (see
   * `mergeLedgerEntry` for how they meet earlier ones), the batch marked settled, the cursor advanced
   * over the contiguous settled prefix. On any error nothing of it is written.
   */
  async settleBatch(seq: number, result: SettleResult): Promise<void> {
    const now = this.timestamp();
    await this.db.transaction().execute(async (trx) => {
      const batch = await trx.selectFrom('batches').select(['state']).where('seq', '=', seq).executeTakeFirst();
      if (!batch || batch.state === 'settled') {
        throw new CheckpointError(`batch ${seq} cannot be settled: it is ${batch ? 'already settled' : 'unknown'}`, {
          code: 'checkpoint_batch_state',
        });
      }
      const incoming = toIncomingOutcomes(result);
      const merged = await readLedgerEntries(trx, incoming.map((entry) => entry.legacyId));
      for (const entry of incoming) {
        merged.set(entry.legacyId, mergeLedgerEntry(merged.get(entry.legacyId), entry, { batchSeq: seq, now }));
      }
      await writeLedgerEntries(trx, [...merged.values()]);
      await trx.updateTable('batches').set({ state: 'settled', settled_at: now }).where('seq', '=', seq).execute();
      await advanceCursor(trx, now);
    });
    if (this.cachedJob) await this.job();
  }

  /** Batches planned or sent but never settled, in seq order: after a crash their fate is unknown. */
  async unsettledBatches(): Promise<BatchRecord[]> {
    const rows = await this.db.selectFrom('batches').selectAll().where('state', 'in', ['planned', 'sent']).orderBy('seq').execute();
    return rows.map(toBatchRecord);
  }

  /** Every key sent (or about to be) in an unsettled batch: to be replayed with upsert. */
  async inDoubtKeys(): Promise<Set<string>> {
    return new Set((await this.unsettledBatches()).flatMap((batch) => batch.legacyIds));
  }

  /** One journal entry, settled or not; undefined when unknown or discarded. */
  async batch(seq: number): Promise<BatchRecord | undefined> {
    const row = await this.db.selectFrom('batches').selectAll().where('seq', '=', seq).executeTakeFirst();
    return row ? toBatchRecord(row) : undefined;
  }

  /** What the ledger knows about these keys (keys never settled are absent from the map). */
  async ledgerEntries(keys: string[]): Promise<Map<string, LedgerEntry>> {
    return readLedgerEntries(this.db, keys);
  }

  /**
   * Forgets the unsettled batches at the start of a resumed run (take `inDoubtKeys` first). The
   * cursor chain restarts after every batch journaled so far: the resumed run re-reads from the
   * cursor, skips keys the ledger already holds, and plans fresh batches in key order.
   */
  async discardUnsettled(): Promise<void> {
    this.requireJob();
    await this.db.transaction().execute(async (trx) => {
      const max = await trx.selectFrom('batches').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
      const job = await trx.selectFrom('job').select(['cursor_seq']).where('id', '=', 1).executeTakeFirstOrThrow();
      await trx.deleteFrom('batches').where('state', 'in', ['planned', 'sent']).execute();
      await trx.updateTable('batches').set({ legacy_ids: '[]' }).where('seq', '>', job.cursor_seq).execute();
      const restart = Math.max(job.cursor_seq, max?.seq ?? 0);
      await trx.updateTable('job').set({ cursor_seq: restart, updated_at: this.timestamp() }).where('id', '=', 1).execute();
    });
  }

  /** Counts by outcome and batch state, for `status`. */
  async status(): Promise<CheckpointStatus> {
    await this.job();
    const job = this.requireJob();
    return { job, cursor: job.cursor, ...(await readCounts(this.db)) };
  }

  /** Every ledger entry, legacy-id order (numeric ids numerically), streamed page by page. */
  async *idMap(options: { pageSize?: number } = {}): AsyncGenerator<IdMapEntry> {
    for await (const entry of pageLedger(this.db, options)) {
      yield { legacyId: entry.legacyId, dynamicUserId: entry.dynamicUserId, outcome: entry.outcome };
    }
  }

  /** Ledger entries with one of `outcomes`, legacy-id order, streamed page by page. */
  ledgerByOutcome(outcomes: readonly LedgerOutcome[], options: { pageSize?: number } = {}): AsyncGenerator<LedgerEntry> {
    return pageLedger(this.db, { ...options, outcomes });
  }

  /**
   * Records that rollback deleted this job's user from Dynamic (or found it gone): outcome
   * `created` becomes `rolled_back`, the Dynamic id is kept. One statement, committed at once, so a
   * killed rollback resumes after the last deletion it recorded.
   * @returns false when the entry was not `created` (unknown, or already rolled back).
   */
  async markRolledBack(legacyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('ledger')
      .set({ outcome: 'rolled_back', updated_at: this.timestamp() })
      .where('legacy_id', '=', legacyId)
      .where('outcome', '=', 'created')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Rows rejected locally, legacy-id order; rule and field-prefixed message, never the value. */
  async *rejections(options: { pageSize?: number } = {}): AsyncGenerator<RejectionEntry> {
    for await (const entry of pageLedger(this.db, { ...options, outcomes: ['rejected'] })) {
      yield { legacyId: entry.legacyId, rule: entry.errorCode, message: entry.errorMessage };
    }
  }

  /** Closes the database; the store is unusable afterwards. */
  async close(): Promise<void> {
    await this.db.destroy();
    if (this.handle.raw.open) this.handle.raw.close();
  }
}
