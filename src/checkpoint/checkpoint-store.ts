import { realpathSync } from 'node:fs';
import type { SendJournal } from '../load/index.js';
import { CheckpointError } from '../errors.js';
import * as journal from './batch-journal.js';
import type { BatchRecord, JobRecord, LedgerEntry } from './checkpoint-records.js';
import type { LedgerOutcome, LedgerOwner } from './checkpoint-schema.js';
import { fingerprintDifferences, type Fingerprint } from './fingerprint.js';
import { readInDoubt, readInDoubtDetails, type InDoubtDetail } from './in-doubt.js';
import { enterIncrementalPhase, recordIncrementalSince, setChildWatermark } from './job-phase.js';
import { insertJob, readJob, stampRun, updateFingerprint } from './job-row.js';
import { markRolledBack, pageLedger, readLedgerEntries } from './ledger-queries.js';
import { openDatabase } from './open-database.js';
import { readCounts, type CheckpointStatus } from './read-counts.js';
import { markRejectionsReported, unreportedRejections } from './rejection-records.js';
import { checkpointSendJournal } from './send-records.js';
import type { SettleResult, SettledRejection } from './settle-result.js';
import { sqliteStateSql, type StateSql } from './state-sql.js';
import { createWalSync } from './wal-sync.js';

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

/** Where a checkpoint lives: the embedded SQLite file, or a schema of a shared PostgreSQL (postgres-state.ts). */
export interface StateBackend {
  sql: StateSql;
  /** The file's path, or the database and schema (never a password): for messages and `status`. */
  label: string;
  /** Resolves once every write committed before the call is on disk. */
  durable(): Promise<void>;
  /** The rate limiter's sends, kept `retainMs`, synchronous as the limiter needs them. */
  sendJournal(options: { retainMs: number; now?: () => number }): SendJournal;
  close(): Promise<void>;
}

/** The scope of a whole job: the embedded checkpoint's only one. */
export const JOB_SCOPE = 1;

/**
 * The checkpoint of one migration job: its fingerprint, phase and cursor (job-row.ts,
 * job-phase.ts), the batch journal planned → sent → settled (batch-journal.ts) and the per-user
 * ledger (ledger-queries.ts), in an SQLite file, through the same queries any other backend of
 * {@link StateBackend} runs. Every settle is one transaction and every write resolves once it is
 * on disk, so a kill -9 or a power cut loses at most the batches in flight.
 *
 * A store works in one scope (`job.id`): the whole job, as the embedded checkpoint always does,
 * or one part of a job that has a cursor chain, a batch journal and in-doubt keys of its own
 * beside the job's one ledger.
 */
export class CheckpointStore {
  private constructor(
    private readonly backend: StateBackend,
    readonly scope: number,
    private readonly now: () => Date,
    private readonly ownsBackend: boolean,
    private cachedJob: JobRecord | undefined,
  ) {}

  /** The file (or the database and schema): what messages name. */
  get path(): string {
    return this.backend.label;
  }

  /**
   * Opens the checkpoint at `path`; with `create`, makes it (mode 0600) when missing.
   * @throws CheckpointError `checkpoint_missing` (no file and no `create`), `checkpoint_damaged`
   *   (not SQLite, not ours, schema incomplete) or `checkpoint_version` (written by a newer version).
   */
  static async open(path: string, options: { create: boolean; now?: () => Date }): Promise<CheckpointStore> {
    const handle = await openDatabase(path, options);
    // SQLite names the WAL after the resolved path of the database file.
    const wal = createWalSync(`${realpathSync(path)}-wal`);
    // `raw` rides along for tests that plant triggers on this connection (kill points inside a transaction).
    const backend: StateBackend & { raw: typeof handle.raw } = {
      raw: handle.raw,
      sql: sqliteStateSql(handle.raw),
      label: path,
      durable: () => wal.sync(),
      sendJournal: (journalOptions) => checkpointSendJournal(handle.raw, journalOptions),
      async close() {
        await handle.db.destroy();
        if (handle.raw.open) handle.raw.close();
        await wal.close();
      },
    };
    return CheckpointStore.over(backend, { scope: JOB_SCOPE, ...(options.now ? { now: options.now } : {}) });
  }

  /**
   * A store over an open backend, in `scope`. A store that owns its backend closes it with itself,
   * or at once if the job cannot be read; one that does not (a chunk's store, of the many sharing a
   * worker's backend) leaves that to whoever opened the backend.
   */
  static async over(backend: StateBackend, options: { scope: number; now?: () => Date; ownsBackend?: boolean }): Promise<CheckpointStore> {
    const ownsBackend = options.ownsBackend ?? true;
    try {
      const job = await readJob(backend.sql, options.scope, backend.label);
      return new CheckpointStore(backend, options.scope, options.now ?? (() => new Date()), ownsBackend, job);
    } catch (error) {
      if (ownsBackend) await backend.close();
      throw error;
    }
  }

  private get sql(): StateSql {
    return this.backend.sql;
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

  /** Runs one write (a statement or a transaction) and resolves once it is durable. */
  private async write<T>(change: (now: string) => Promise<T>): Promise<T> {
    const result = await change(this.timestamp());
    await this.backend.durable();
    return result;
  }

  /** A durable job-row change, after checking there is a job; re-reads the job. */
  private async changeJob<T>(change: (now: string) => Promise<T>): Promise<T> {
    this.requireJob();
    const result = await this.write(change);
    await this.job();
    return result;
  }

  /** The job this checkpoint belongs to; undefined before `startJob`. */
  async job(): Promise<JobRecord | undefined> {
    this.cachedJob = await readJob(this.sql, this.scope, this.path);
    return this.cachedJob;
  }

  /**
   * Records the job on its first run, or replaces the fingerprint of the same job (the caller has
   * already accepted the differences). Cursor and ledger are kept. A new scope's cursor starts at
   * `cursor` (the lower bound of its part of the key order; null: the beginning).
   * @throws CheckpointError `checkpoint_job_mismatch` when the file belongs to another job name.
   */
  async startJob(name: string, fingerprint: Fingerprint, options: { cursor?: string | null } = {}): Promise<JobRecord> {
    const existing = await this.job();
    if (existing && existing.name !== name) {
      throw new CheckpointError(`checkpoint ${this.path} belongs to job "${existing.name}", not "${name}"`, { code: 'checkpoint_job_mismatch' });
    }
    const fingerprintJson = JSON.stringify(fingerprint);
    await this.write((now) => (existing
      ? updateFingerprint(this.sql, this.scope, fingerprintJson, now)
      : insertJob(this.sql, this.scope, { name, fingerprintJson, cursor: options.cursor ?? null }, now)));
    await this.job();
    return this.requireJob();
  }

  /** How `current` differs from the fingerprint the job was started with (empty when no job yet). */
  fingerprintDifferences(current: Fingerprint): string[] {
    return this.cachedJob ? fingerprintDifferences(this.cachedJob.fingerprint, current) : [];
  }

  /** Marks the start of a run (a start later than the last finish means a run is going on, or died). */
  recordRunStart(): Promise<void> {
    return this.changeJob((now) => stampRun(this.sql, this.scope, 'started', now));
  }

  /** Marks the end of a run that was not killed. */
  recordRunEnd(): Promise<void> {
    return this.changeJob((now) => stampRun(this.sql, this.scope, 'finished', now));
  }

  /**
   * Records, once per job, where incremental reads start (the database's `now() - lag` before the
   * first run reads anything). Later calls keep the first value. @returns the value in force.
   */
  recordIncrementalSince(since: string): Promise<string> {
    return this.changeJob((now) => recordIncrementalSince(this.sql, this.scope, since, now));
  }

  /**
   * Switches the job from its full pass to incremental runs, starting at `cursor` (the change
   * cursor at `incrementalSince`, formatted by the caller).
   * @throws CheckpointError `checkpoint_phase` when batches are unsettled or the job is not in its full pass.
   */
  enterIncremental(cursor: string): Promise<void> {
    return this.changeJob((now) => enterIncrementalPhase(this.sql, this.scope, cursor, now));
  }

  /** Records that `child`'s changes up to `upper` (database time) have all been processed. */
  setChildWatermark(child: string, upper: string): Promise<void> {
    return this.changeJob((now) => setChildWatermark(this.sql, this.scope, child, upper, now));
  }

  /** Closes the database (unless the backend is shared, see `over`); the store is unusable afterwards. */
  async close(): Promise<void> {
    if (this.ownsBackend) await this.backend.close();
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
    if (options.durable === false) return journal.planBatch(this.sql, this.scope, input, this.timestamp());
    return this.write((now) => journal.planBatch(this.sql, this.scope, input, now));
  }

  /**
   * Records that the batch's request is about to go out (or went out again).
   * @throws CheckpointError `checkpoint_batch_state` when it is settled, discarded or another scope's.
   */
  async markSent(seq: number): Promise<void> {
    await this.write((now) => journal.markSent(this.sql, this.scope, seq, now));
  }

  /**
   * Settles a batch in one transaction: ledger entries for every outcome and rejection (merged with
   * earlier ones, see `mergeLedgerEntry`), the batch settled, the cursor advanced over the
   * contiguous settled prefix. On any error nothing of it is written.
   * @throws CheckpointError `checkpoint_batch_state` when it is settled already, or not a batch of
   *   this scope (discarded by a resumed run, or another scope's): nothing is written.
   */
  async settleBatch(seq: number, result: SettleResult): Promise<void> {
    await this.write((now) => journal.settleBatch(this.sql, this.scope, seq, result, now));
  }

  /** Batches planned or sent but never settled, in seq order: after a crash their fate is unknown. */
  async unsettledBatches(): Promise<BatchRecord[]> {
    return journal.unsettledBatches(this.sql, this.scope);
  }

  /**
   * Every user whose fate is unknown: keys of unsettled batches and users an answer was silent
   * about (after `discardUnsettled`, all of them are in the in-doubt table).
   */
  async inDoubtKeys(): Promise<Set<string>> {
    const unsettled = await journal.unsettledBatches(this.sql, this.scope);
    return new Set([...await readInDoubt(this.sql, this.scope), ...unsettled.flatMap((batch) => batch.legacyIds)]);
  }

  /** Since when each key is in doubt and the identities its attempts carried (after `discardUnsettled`). */
  async inDoubtDetails(): Promise<Map<string, InDoubtDetail>> {
    return readInDoubtDetails(this.sql, this.scope);
  }

  /** One journal entry of this scope, settled or not; undefined when unknown, discarded or another scope's. */
  async batch(seq: number): Promise<BatchRecord | undefined> {
    return journal.batchBySeq(this.sql, this.scope, seq);
  }

  /**
   * Forgets the unsettled batches at the start of a resumed run, their keys moved into the
   * in-doubt table in the same transaction. The cursor chain restarts after every batch journaled
   * so far: the resumed run replays the in-doubt users, re-reads from the cursor, skips keys the
   * ledger already holds, and plans fresh batches in key order.
   */
  discardUnsettled(): Promise<void> {
    return this.changeJob((now) => journal.discardUnsettled(this.sql, this.scope, now));
  }

  /** What the ledger knows about these keys (keys never settled are absent from the map). */
  async ledgerEntries(keys: string[]): Promise<Map<string, LedgerEntry>> {
    return readLedgerEntries(this.sql, keys);
  }

  /** Counts by outcome and batch state, for `status`. */
  async status(): Promise<CheckpointStatus> {
    await this.job();
    const job = this.requireJob();
    return { job, cursor: job.cursor, ...await readCounts(this.sql) };
  }

  /** Every ledger entry, legacy-id order (numeric ids numerically), streamed page by page. */
  async *idMap(options: { pageSize?: number } = {}): AsyncGenerator<IdMapEntry> {
    for await (const e of pageLedger(this.sql, options)) yield { legacyId: e.legacyId, dynamicUserId: e.dynamicUserId, outcome: e.outcome, owner: e.owner };
  }

  /** Ledger entries with one of `outcomes` (and `owner`, if given), legacy-id order, streamed page by page. */
  ledgerByOutcome(outcomes: readonly LedgerOutcome[], options: { pageSize?: number; owner?: LedgerOwner } = {}): AsyncGenerator<LedgerEntry> {
    return pageLedger(this.sql, { ...options, outcomes });
  }

  /**
   * The rate limiter's send log in this checkpoint (see `checkpointSendJournal`), keeping `retainMs`
   * of history: a restarted run starts with its predecessor's slots of the last window taken.
   */
  sendJournal(options: { retainMs: number; now?: () => number }): SendJournal {
    return this.backend.sendJournal(options);
  }

  /**
   * The broken rules recorded since the last run that wrote its rejects files, legacy-id order;
   * call `markRejectionsReported(through)` once they are written.
   */
  unreportedRejections(): Promise<{ through: number; rows: AsyncGenerator<SettledRejection> }> {
    return unreportedRejections(this.sql, this.scope);
  }

  markRejectionsReported(through: number): Promise<void> {
    return this.write((now) => markRejectionsReported(this.sql, this.scope, through, now));
  }

  /**
   * Records that rollback deleted this job's user from Dynamic (or found it gone): outcome
   * `created` becomes `rolled_back`, the Dynamic id is kept. One statement, durable at once, so a
   * killed rollback resumes after the last deletion it recorded.
   * @returns false when the entry was not `created` (unknown, or already rolled back).
   */
  async markRolledBack(legacyId: string): Promise<boolean> {
    return this.write((now) => markRolledBack(this.sql, legacyId, now));
  }

  /** Rows rejected locally, legacy-id order; rule and field-prefixed message, never the value. */
  async *rejections(options: { pageSize?: number } = {}): AsyncGenerator<RejectionEntry> {
    for await (const e of pageLedger(this.sql, { ...options, outcomes: ['rejected'] })) yield { legacyId: e.legacyId, rule: e.errorCode, message: e.errorMessage };
  }
}
