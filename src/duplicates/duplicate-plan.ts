import type { OauthAccountPayload, WalletPayload } from '../contract/index.js';
import type { MappingSpec, Rejection } from '../mapping/index.js';
import type { DuplicateCluster } from './duplicate-detector.js';

/** The mapping's `duplicates` section: what to do with users of the source that share an identity. */
export type DuplicatePolicy = NonNullable<MappingSpec['duplicates']>;

/** What a cluster member needs for a decision, collected from the source for cluster members only. */
export interface ClusterMember {
  legacyId: string;
  /** Position in key order (the order the source is read in). */
  ordinal: number;
  /** The `newestBy` column's value (keepNewest); null when absent. */
  newest: unknown;
  wallets: readonly WalletPayload[];
  oauthAccounts: readonly OauthAccountPayload[];
}

/** What happens to one cluster member. */
export type DuplicateDecision =
  | {
      action: 'send';
      /** merge: the other members' wallets and OAuth accounts, added to this user's own (duplicates dropped). */
      merged?: { wallets: WalletPayload[]; oauthAccounts: OauthAccountPayload[] };
    }
  | { action: 'reject'; keptLegacyId: string; rejection: Omit<Rejection, 'legacyId'> };

/**
 * The outcome of the pre-scan: the clusters, and a decision for each of their members (users in
 * no cluster have none and go through unchanged). Held in memory for cluster members only.
 */
export interface DuplicatePlan {
  /** Absent: the mapping has no `duplicates` section, the source was not scanned, nothing changes. */
  policy?: DuplicatePolicy;
  clusters: DuplicateCluster[];
  decisions: ReadonlyMap<string, DuplicateDecision>;
}

/** A plan that changes nothing. */
export const EMPTY_DUPLICATE_PLAN: DuplicatePlan = Object.freeze({ clusters: [], decisions: new Map<string, DuplicateDecision>() });

/**
 * What the run does about one cluster, in words, for the report: `"sent: 12; rejected: 40, 41"`,
 * or `"merged into 12"`; undefined without a policy (every member is sent and Dynamic refuses all
 * but one).
 */
export function describeResolution(plan: DuplicatePlan, cluster: DuplicateCluster): string | undefined {
  if (!plan.policy) return undefined;
  const sent: string[] = [];
  const rejected: string[] = [];
  for (const legacyId of cluster.legacyIds) {
    (plan.decisions.get(legacyId)?.action === 'reject' ? rejected : sent).push(legacyId);
  }
  if (plan.policy.policy === 'merge' && rejected.length > 0) {
    const into = plan.decisions.get(rejected[0] as string);
    return into?.action === 'reject' ? `merged into ${into.keptLegacyId}` : undefined;
  }
  return `sent: ${sent.join(', ') || 'none'}; rejected: ${rejected.join(', ') || 'none'}`;
}
