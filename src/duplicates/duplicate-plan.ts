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
  /** The username as mapped (usernames policy); undefined when none. */
  username?: string;
}

/** What happens to one cluster member. */
export type DuplicateDecision =
  | {
      action: 'send';
      /** merge: the other members' wallets and OAuth accounts, added to this user's own (duplicates dropped). */
      merged?: { wallets: WalletPayload[]; oauthAccounts: OauthAccountPayload[] };
      /** usernames policy: the username another member keeps is sent as `to` (suffix), or left out (`to: null`, drop). */
      username?: { to: string | null; keptBy: string };
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
  if (cluster.kind === 'username' && plan.policy.usernames !== undefined) return describeUsernames(plan, cluster);
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

/** One user whose username another keeps (`duplicates.usernames`): renamed (`to`), or sent without one (`to: null`). */
export interface UsernameChange {
  legacyId: string;
  keptBy: string;
  to: string | null;
}

/** Every rename and drop of the usernames policy: the report lists them all (in legacy-id order). */
export function usernameChanges(plan: DuplicatePlan): UsernameChange[] {
  const changes: UsernameChange[] = [];
  for (const [legacyId, decision] of plan.decisions) {
    if (decision.action === 'send' && decision.username) changes.push({ legacyId, keptBy: decision.username.keptBy, to: decision.username.to });
  }
  return changes;
}

/** A username cluster under the usernames policy: who keeps it, and every rename, drop and reject. */
function describeUsernames(plan: DuplicatePlan, cluster: DuplicateCluster): string {
  const parts: string[] = [];
  const renamed: string[] = [];
  const dropped: string[] = [];
  const rejected: string[] = [];
  let keeper: string | undefined;
  for (const legacyId of cluster.legacyIds) {
    const decision = plan.decisions.get(legacyId);
    if (decision?.action === 'reject') rejected.push(legacyId);
    else if (decision?.username?.to === null) dropped.push(legacyId);
    else if (decision?.username) renamed.push(`${legacyId} → ${decision.username.to}`);
    else keeper ??= legacyId;
  }
  parts.push(`kept by ${keeper ?? 'none'}`);
  if (renamed.length > 0) parts.push(`renamed: ${renamed.join(', ')}`);
  if (dropped.length > 0) parts.push(`sent without a username: ${dropped.join(', ')}`);
  if (rejected.length > 0) parts.push(`rejected: ${rejected.join(', ')}`);
  return parts.join('; ');
}
