import type { SampleIssueGroup } from '../check/check-report.js';
import { scrubMessage } from '../checkpoint/scrub-message.js';
import { scrubSummary } from '../pipeline/run-summary.js';
import type { RunSummary } from '../pipeline/run-summary.js';
import type { UsernameChange } from '../duplicates/index.js';
import type { DuplicateCluster, DuplicateSummary } from './duplicate-clusters.js';
import { MAX_REPORTED_CLUSTERS, REPORT_VERSION } from './report-json.js';
import type { FailureGroup, ReportCoverage, ReportJson, ReportSample, ReportTarget, ReportTotals } from './report-json.js';

/** What the collector gathered while the run went on; the summary comes at the end. */
export interface ReportParts {
  coverage: ReportCoverage;
  rejects: SampleIssueGroup[];
  warnings: SampleIssueGroup[];
  dropped: SampleIssueGroup[];
  failures: FailureGroup[];
  /** `undefined` when no duplicate detector ran. */
  duplicates: DuplicateCluster[] | undefined;
  /** Every rename and drop of the usernames policy. */
  usernameChanges?: UsernameChange[] | undefined;
  /** The detector's own count and note, when it lists only some clusters. */
  duplicateSummary?: DuplicateSummary | undefined;
  samples: readonly ReportSample[];
  /** `undefined` when the run did not compare with Dynamic (`--compare-target`). */
  target?: ReportTarget;
}

/**
 * The totals of a run in the report's words. A dry run's `wouldSend` becomes `create`: it is
 * what a first run would create (see {@link ReportTotals}). Pure.
 */
function reportTotals(summary: RunSummary): ReportTotals {
  return {
    eligible: summary.extracted,
    create: summary.created + summary.wouldSend,
    update: summary.updated,
    unchanged: summary.unchanged,
    rejected: summary.rejected,
    failed: summary.failed,
    alreadyExisted: summary.alreadyExisted,
    conflicts: summary.conflicts,
    alreadySettled: summary.alreadySettled,
    inDoubt: summary.inDoubt,
  };
}

/**
 * Assembles `report.json` (and so `report.html`) from the run's summary and the collected parts.
 * The texts that come from the API or the database (the fatal error, why the comparison stopped)
 * are scrubbed here, as in every output (see `scrubMessage`). Pure but for the registry of secrets.
 */
export function buildReportJson(summary: RunSummary, parts: ReportParts, generatedAt: Date): ReportJson {
  const { fatalError } = scrubSummary(summary);
  return {
    version: REPORT_VERSION,
    job: summary.job,
    dryRun: summary.dryRun,
    generatedAt: generatedAt.toISOString(),
    ...(summary.phase ? { phase: summary.phase } : {}),
    interrupted: summary.interrupted,
    ...(fatalError !== undefined ? { fatalError } : {}),
    totals: reportTotals(summary),
    coverage: parts.coverage,
    rejects: parts.rejects,
    warnings: parts.warnings,
    dropped: parts.dropped,
    failures: parts.failures,
    duplicates: {
      available: parts.duplicates !== undefined,
      total: parts.duplicates === undefined ? 0 : Math.max(parts.duplicateSummary?.total ?? 0, parts.duplicates.length),
      clusters: [...(parts.duplicates ?? [])].sort((a, b) => b.rows - a.rows).slice(0, MAX_REPORTED_CLUSTERS),
      ...(parts.duplicates !== undefined && parts.duplicateSummary?.note ? { note: parts.duplicateSummary.note } : {}),
    },
    usernameChanges: [...(parts.usernameChanges ?? [])].sort((a, b) => compareIds(a.legacyId, b.legacyId)),
    samples: [...parts.samples].sort((a, b) => compareIds(a.legacyId, b.legacyId)),
    ...(parts.target ? { target: scrubTarget(parts.target) } : {}),
  };
}

/** The comparison with its stop reason (a 401's message, say) scrubbed. */
function scrubTarget(target: ReportTarget): ReportTarget {
  return target.error === undefined ? target : { ...target, error: scrubMessage(target.error) ?? '' };
}

/** Numeric ids in number order, others as text. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
