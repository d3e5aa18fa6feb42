import { scrubMessage } from '../checkpoint/scrub-message.js';

/** Counts of one run. Every extracted row ends in exactly one of the outcome counts. */
export interface RunCounts {
  extracted: number;
  /** Rows settled by an earlier, interrupted run (found in the ledger beyond the cursor). */
  alreadySettled: number;
  created: number;
  updated: number;
  /** A Dynamic user carrying the row's legacy id was already there (not created by this job). */
  alreadyExisted: number;
  /** An identity of the user belongs to someone else in Dynamic: not sent, or refused; never updated. */
  conflicts: number;
  rejected: number;
  failed: number;
  /** Dry run only: valid users that would have been sent. */
  wouldSend: number;
  /** Users whose fate is unknown when the run stopped (an answer lost or silent); the next run resolves them. */
  inDoubt: number;
  /** Incremental runs: changed rows whose payload hash equals the ledger's, so nothing was sent. */
  unchanged: number;
}

export interface RunSummary extends RunCounts {
  job: string;
  dryRun: boolean;
  /** True when the run stopped early (signal, or a fatal error); the job can be resumed. */
  interrupted: boolean;
  /** The error that stopped the run, if any (message only; never secrets). */
  fatalError?: string;
  /** The fatal error was a 401/403: no other batch of this token and environment can succeed either. */
  fatalAuth?: boolean;
  /**
   * The whole run, in milliseconds: every pass, and the duplicates policy's pre-scan before them
   * (migrateJob's clock; runMigration's is one pass's).
   */
  durationMs: number;
  /** With a duplicates policy: the share of `durationMs` its pre-scan took. */
  duplicatesScanMs?: number;
  /** The check that the outcome counts add up to the extracted rows. */
  addsUp: boolean;
  /** Values changed to fit the API but still sent, counted per `field rule` (e.g. `firstName stripped`). */
  warnings: Record<string, number>;
  /** Values left out so their users could be sent (`onInvalid: 'drop'`), counted per `field rule` (e.g. `phoneNumber transform`). */
  dropped?: Record<string, number>;
  /** Which phase this run was in: the first full pass, or an incremental rerun. */
  phase?: 'full' | 'incremental';
  /** Incremental runs: the frozen upper bound (`now() - lag`, database time) of the rows read. */
  upperBound?: string;
}

export function emptyCounts(): RunCounts {
  return { extracted: 0, alreadySettled: 0, created: 0, updated: 0, alreadyExisted: 0, conflicts: 0, rejected: 0, failed: 0, wouldSend: 0, inDoubt: 0, unchanged: 0 };
}

export function accountedFor(counts: RunCounts): number {
  return (
    counts.alreadySettled + counts.created + counts.updated + counts.alreadyExisted + counts.conflicts + counts.rejected +
    counts.failed + counts.wouldSend + counts.inDoubt + counts.unchanged
  );
}

/**
 * CLI exit code for a finished run: 0 all good, 3 some rows rejected, failed, in conflict with
 * someone else's account or still in doubt, 130 interrupted, 1 otherwise.
 */
export function exitCodeFor(summary: RunSummary): number {
  if (summary.fatalError !== undefined) return 1;
  if (summary.interrupted) return 130;
  if (!summary.addsUp) return 1;
  return summary.rejected + summary.failed + summary.conflicts + summary.inDoubt > 0 ? 3 : 0;
}

/**
 * One summary of several passes of the same run (changed rows, then each child's changes): counts
 * and warnings added, the first fatal error kept, the add-up check redone on the sums. Pure.
 */
export function combineSummaries(first: RunSummary, second: RunSummary): RunSummary {
  const counts = emptyCounts();
  for (const key of Object.keys(counts) as Array<keyof RunCounts>) counts[key] = first[key] + second[key];
  const warnings = { ...first.warnings };
  for (const [what, count] of Object.entries(second.warnings)) warnings[what] = (warnings[what] ?? 0) + count;
  const dropped = { ...first.dropped };
  for (const [what, count] of Object.entries(second.dropped ?? {})) dropped[what] = (dropped[what] ?? 0) + count;
  const { fatalError: _first, fatalAuth: _firstAuth, ...firstRest } = first;
  const fatal = first.fatalError !== undefined ? first : second;
  return {
    ...firstRest,
    ...counts,
    interrupted: first.interrupted || second.interrupted,
    ...(fatal.fatalError === undefined ? {} : { fatalError: fatal.fatalError }),
    ...(fatal.fatalAuth ? { fatalAuth: true } : {}),
    durationMs: first.durationMs + second.durationMs,
    addsUp: first.addsUp && second.addsUp && accountedFor(counts) === counts.extracted,
    warnings: Object.fromEntries(Object.entries(warnings).sort(([a], [b]) => a.localeCompare(b))),
    ...(Object.keys(dropped).length > 0 ? { dropped: Object.fromEntries(Object.entries(dropped).sort(([a], [b]) => a.localeCompare(b))) } : {}),
  };
}

/**
 * The summary as every output writes it (summary.json, the reports, stdout): its fatal error,
 * which may quote the API or the database, scrubbed like every other message (see `scrubMessage`).
 */
export function scrubSummary(summary: RunSummary): RunSummary {
  if (summary.fatalError === undefined) return summary;
  return { ...summary, fatalError: scrubMessage(summary.fatalError) ?? '' };
}
