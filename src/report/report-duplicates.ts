import { createBoundedDuplicateDetector, describeResolution, usernameChanges } from '../duplicates/index.js';
import type { BoundedDetectorOptions, DetectionStatus, DuplicatePlan } from '../duplicates/index.js';
import type { DuplicateCluster, DuplicateClusterSource } from './duplicate-clusters.js';

/** Row ids listed per cluster in the report; `rows` still counts them all. */
const MAX_IDS = 10;
const NO_POLICY = 'no duplicates policy in the mapping: every row is sent, and Dynamic keeps one and refuses the others';

/**
 * The report's duplicate clusters for a run. With a policy in the mapping, the pre-scan's plan
 * already holds the clusters and what happens to them (the rows it rejects reach the report as
 * rejects, so a live detector would no longer see them). Without one, a detector watches the
 * rows as they are mapped, so the report still warns before Dynamic refuses them: the bounded
 * one, whose memory is fixed (a 72 MiB fingerprint table) however big the source.
 */
export function reportDuplicates(plan: DuplicatePlan, options: BoundedDetectorOptions = {}): DuplicateClusterSource {
  if (plan.policy) {
    return {
      observe: () => {},
      clusters: () =>
        plan.clusters.map((cluster) => toReport({ ...cluster, rows: cluster.legacyIds.length }, describeResolution(plan, cluster))),
      usernameChanges: () => usernameChanges(plan),
    };
  }
  const detector = createBoundedDuplicateDetector({ maxIds: MAX_IDS, ...options });
  return {
    observe(result) {
      if (result.ok) detector.observe(result.legacyId, result.payload);
    },
    clusters: () => detector.clusters().map((cluster) => toReport(cluster, NO_POLICY)),
    summary() {
      const status = detector.status();
      const note = detectionNote(status);
      return { total: status.total, ...(note ? { note } : {}) };
    },
  };
}

/** Says what the fixed-memory detector could not cover; undefined when it saw everything. */
function detectionNote(status: DetectionStatus): string | undefined {
  const notes: string[] = [];
  if (status.saturated) {
    const mib = Math.round(status.tableBytes / 2 ** 20);
    notes.push(
      `Duplicate detection stopped taking new identities after ${status.identities.toLocaleString('en')} (its fixed ${mib} MiB table is full): users sharing an identity first seen after that are not found.`,
    );
  }
  if (status.unlisted > 0) {
    notes.push(`${status.unlisted.toLocaleString('en')} of the ${status.total.toLocaleString('en')} clusters were found after the first ${(status.total - status.unlisted).toLocaleString('en')}: counted, not listed.`);
  }
  return notes.length > 0 ? notes.join(' ') : undefined;
}

function toReport(cluster: { kind: string; key: string; rows: number; legacyIds: readonly string[] }, resolution: string | undefined): DuplicateCluster {
  return {
    kind: cluster.kind,
    key: cluster.key,
    rows: cluster.rows,
    legacyIds: cluster.legacyIds.slice(0, MAX_IDS),
    ...(resolution === undefined ? {} : { resolution }),
  };
}
