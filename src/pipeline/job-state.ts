import { CheckpointStore, changesTarget, checkpointPath, fingerprintDifferences } from '../checkpoint/index.js';
import type { Fingerprint } from '../checkpoint/index.js';
import { acquireJobLock, lockPathFor } from '../checkpoint/job-lock.js';
import { ConfigError } from '../errors.js';
import type { SharedBudget } from '../load/index.js';
import { ensurePrivateDir } from '../shared/private-dir.js';
import { checkpointJournal } from './checkpoint-journal.js';
import type { JobConfig } from './job-config.js';
import { memoryJournal } from './journal.js';
import type { Journal } from './journal.js';
import { runPasses } from './run-passes.js';
import type { PassesDeps, PassesOptions } from './run-passes.js';
import type { RunSummary } from './run-summary.js';

/**
 * Where a run keeps its job's state, and how it drives the passes there: the embedded file (one
 * process runs the job), nothing (a dry run), or a shared PostgreSQL (scale/shared-job-state.ts:
 * many workers share the job's chunks).
 */
export interface JobState {
  /** The job's journal in this process: the rate limiter's send log, and the deps `drive` is given. */
  journal: Journal;
  /** A budget counted across every process of the environment, asked before each request. @default none */
  sharedBudget?: SharedBudget;
  /** Hears each request and each settled user (a scaled-out worker publishes its rate). */
  meter?: { request(): void; settled(users: number): void };
  /** The most one request to Dynamic may take before it counts as unanswered. @default the loader's (60 s) */
  requestTimeoutMs?: number;
  drive(deps: PassesDeps, options: PassesOptions): Promise<RunSummary>;
  /** The journals whose rejections this run writes to its rejects files, once it has driven its passes. */
  reportedJournals(): Journal[];
  close(): Promise<void>;
}

/** A dry run: no checkpoint at all, always a full pass. */
export function dryRunState(): JobState {
  const journal = memoryJournal();
  return { journal, drive: runPasses, reportedJournals: () => [journal], close: async () => {} };
}

/**
 * The embedded checkpoint, `<checkpointDir>/<job>.db`: the job lock is taken before the file is
 * opened and released after it is closed (one run per job), and the fingerprint is adopted.
 */
export async function fileJobState(
  config: Pick<JobConfig, 'job' | 'checkpointDir' | 'allowMappingChange'>,
  fingerprint: Fingerprint,
  warn: (message: string) => void,
): Promise<JobState & { checkpointFile: string }> {
  const checkpointFile = checkpointPath(config.checkpointDir, config.job);
  ensurePrivateDir(config.checkpointDir); // 0700: the ledger holds emails and error messages
  const lock = await acquireJobLock(lockPathFor(checkpointFile));
  let store: CheckpointStore | undefined;
  try {
    store = await CheckpointStore.open(checkpointFile, { create: true });
    await adoptFingerprint(store, config.job, fingerprint, { allowMappingChange: config.allowMappingChange, warn });
  } catch (error) {
    await store?.close();
    await lock.release();
    throw error;
  }
  const opened = store;
  const journal = checkpointJournal(opened);
  return {
    checkpointFile,
    journal,
    drive: runPasses,
    reportedJournals: () => [journal],
    async close() {
      try {
        await opened.close();
      } finally {
        await lock.release();
      }
    },
  };
}

/**
 * A job belongs to one source, mapping and environment; running it against others would mix
 * ledgers. A changed mapping or source may be accepted on purpose (`--allow-mapping-change`); a
 * changed environment never: its ledger's Dynamic ids would point into another environment.
 */
export async function adoptFingerprint(
  store: CheckpointStore,
  job: string,
  fingerprint: Fingerprint,
  options: { allowMappingChange: boolean; warn: (message: string) => void },
): Promise<void> {
  const existing = await store.job();
  if (!existing) {
    await store.startJob(job, fingerprint);
    return;
  }
  const differences = fingerprintDifferences(existing.fingerprint, fingerprint);
  if (differences.length === 0) {
    // A job from before the API was recorded learns it on its first run since.
    if (existing.fingerprint.api === undefined && fingerprint.api !== undefined) await store.startJob(job, fingerprint);
    return;
  }
  const changedEnvironment = changesTarget(existing.fingerprint, fingerprint);
  if (changedEnvironment || !options.allowMappingChange) {
    const way = changedEnvironment ? '' : 'rerun with --allow-mapping-change to accept the change, ';
    throw new ConfigError(
      `job "${job}" was started with another setup (${differences.join('; ')}); ${way}run "dynamic-migrate reset --job ${job}", or choose another --job`,
    );
  }
  options.warn(`accepting a changed setup for job "${job}" (${differences.join('; ')})`);
  await store.startJob(job, fingerprint);
}
