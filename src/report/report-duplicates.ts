import { createDuplicateDetector, describeResolution } from '../duplicates/index.js';
import type { DuplicatePlan, DuplicateCluster as DetectedCluster } from '../duplicates/index.js';
import type { DuplicateCluster, DuplicateClusterSource } from './duplicate-clusters.js';

/** Row ids listed per cluster in the report; `rows` still counts them all. */
const MAX_IDS = 10;
const NO_POLICY = 'no duplicates policy in the mapping: every row is sent, and Dynamic keeps one and refuses the others';

/**
 * The report's duplicate clusters for a run. With a policy in the mapping, the pre-scan's plan
 * already holds the clusters and what happens to them (the rows it rejects reach the report as
 * rejects, so a live detector would no longer see them). Without one, a detector watches the
 * rows as they are mapped, so the report still warns before Dynamic refuses them.
 */
export function reportDuplicates(plan: DuplicatePlan): DuplicateClusterSource {
  if (plan.policy) {
    return { observe: () => {}, clusters: () => plan.clusters.map((cluster) => toReport(cluster, describeResolution(plan, cluster))) };
  }
  const detector = createDuplicateDetector();
  return {
    observe(_row, result) {
      if (result.ok) detector.observe(result.legacyId, result.payload);
    },
    clusters: () => detector.clusters().map((cluster) => toReport(cluster, NO_POLICY)),
  };
}

function toReport(cluster: DetectedCluster, resolution: string | undefined): DuplicateCluster {
  return {
    kind: cluster.kind,
    key: cluster.key,
    rows: cluster.legacyIds.length,
    legacyIds: cluster.legacyIds.slice(0, MAX_IDS),
    ...(resolution === undefined ? {} : { resolution }),
  };
}
