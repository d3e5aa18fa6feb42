import { realpathSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { CheckpointError } from '../errors.js';
import type { JobRecord } from './checkpoint-records.js';
import { fingerprintDifferences, type Fingerprint } from './fingerprint.js';
import { enterIncrementalPhase, recordIncrementalSince, setChildWatermark } from './job-phase.js';
import { insertJob, readJob, stampRun, updateFingerprint } from './job-row.js';
import type { OpenDatabase } from './open-database.js';
import { createWalSync, type WalSync } from './wal-sync.js';

/**
 * The job half of a checkpoint: its row (name, fingerprint, phase, cursor, watermarks) and the
 * write discipline every part of the store follows: one statement or one transaction per call,
 * resolved once durable (see wal-sync.ts).
 */
export class JobCheckpoint {
  private readonly wal: WalSync;

  protected constructor(
    readonly path: string,
    private readonly handle: OpenDatabase,
    private readonly now: () => Date,
    private cachedJob: JobRecord | undefined,
  ) {
    // SQLite names the WAL after the resolved path of the database file.
    this.wal = createWalSync(`${realpathSync(path)}-wal`);
  }

  protected get raw(): Database.Database {
    return this.handle.raw;
  }

  protected timestamp(): string {
    return this.now().toISOString();
  }

  protected requireJob(): JobRecord {
    if (!this.cachedJob) {
      throw new CheckpointError(`checkpoint ${this.path} has no job yet: call startJob first`, { code: 'checkpoint_no_job' });
    }
    return this.cachedJob;
  }

  /** Runs one write (a statement or a transaction) and resolves once it is durable. */
  protected async write<T>(change: (now: string) => T): Promise<T> {
    const result = change(this.timestamp());
    await this.wal.sync();
    return result;
  }

  /** A durable job-row change, after checking there is a job; re-reads the job. */
  protected async changeJob<T>(change: (now: string) => T): Promise<T> {
    this.requireJob();
    const result = await this.write(change);
    await this.job();
    return result;
  }

  /** The job this checkpoint belongs to; undefined before `startJob`. */
  async job(): Promise<JobRecord | undefined> {
    this.cachedJob = readJob(this.raw, this.path);
    return this.cachedJob;
  }

  /**
   * Records the job on its first run, or replaces the fingerprint of the same job (the caller has
   * already accepted the differences). Cursor and ledger are kept.
   * @throws CheckpointError `checkpoint_job_mismatch` when the file belongs to another job name.
   */
  async startJob(name: string, fingerprint: Fingerprint): Promise<JobRecord> {
    const existing = await this.job();
    if (existing && existing.name !== name) {
      throw new CheckpointError(`checkpoint ${this.path} belongs to job "${existing.name}", not "${name}"`, { code: 'checkpoint_job_mismatch' });
    }
    const json = JSON.stringify(fingerprint);
    await this.write((now) => (existing ? updateFingerprint(this.raw, json, now) : insertJob(this.raw, name, json, now)));
    await this.job();
    return this.requireJob();
  }

  /** How `current` differs from the fingerprint the job was started with (empty when no job yet). */
  fingerprintDifferences(current: Fingerprint): string[] {
    return this.cachedJob ? fingerprintDifferences(this.cachedJob.fingerprint, current) : [];
  }

  /** Marks the start of a run (a start later than the last finish means a run is going on, or died). */
  recordRunStart(): Promise<void> {
    return this.changeJob((now) => stampRun(this.raw, 'started', now));
  }

  /** Marks the end of a run that was not killed. */
  recordRunEnd(): Promise<void> {
    return this.changeJob((now) => stampRun(this.raw, 'finished', now));
  }

  /**
   * Records, once per job, where incremental reads start (the database's `now() - lag` before the
   * first run reads anything). Later calls keep the first value. @returns the value in force.
   */
  recordIncrementalSince(since: string): Promise<string> {
    return this.changeJob((now) => recordIncrementalSince(this.raw, since, now));
  }

  /**
   * Switches the job from its full pass to incremental runs, starting at `cursor` (the change
   * cursor at `incrementalSince`, formatted by the caller).
   * @throws CheckpointError `checkpoint_phase` when batches are unsettled or the job is not in its full pass.
   */
  enterIncremental(cursor: string): Promise<void> {
    return this.changeJob((now) => enterIncrementalPhase(this.raw, cursor, now));
  }

  /** Records that `child`'s changes up to `upper` (database time) have all been processed. */
  setChildWatermark(child: string, upper: string): Promise<void> {
    return this.changeJob((now) => setChildWatermark(this.raw, child, upper, now));
  }

  /** Closes the database; the store is unusable afterwards. */
  async close(): Promise<void> {
    await this.handle.db.destroy();
    if (this.raw.open) this.raw.close();
    await this.wal.close();
  }
}
