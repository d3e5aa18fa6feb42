import { createHash } from 'node:crypto';
import { usernameKey } from '../contract/identity-keys.js';
import { USERNAME_MAX_CHARS } from '../contract/patterns.js';
import type { Rejection } from '../mapping/index.js';
import type { DuplicateCluster } from './duplicate-detector.js';
import type { ClusterMember, DuplicateDecision, DuplicatePolicy } from './duplicate-plan.js';
import { mergeIdentities } from './merge-identities.js';

const LABEL = { email: 'email', username: 'username', wallet: 'wallet address', oauth: 'OAuth account' } as const;

/**
 * Decides, for every member of every cluster, whether it is sent or rejected. Pure.
 *
 * `rejectAllButFirst` / `keepNewest`: members are taken in priority order (key order, or the
 * greatest `newestBy` first with key order breaking ties); a member is sent unless an identity of
 * it is already held by a member being sent, else rejected naming that member. When clusters
 * overlap (A shares an email with B, B a wallet with C) this keeps as many users as it can while
 * never sending two that share anything: A and C are sent, B is rejected.
 *
 * `merge`: clusters that share a member form one group (one person, several accounts); the first
 * member in key order is sent, carrying every member's wallets and OAuth accounts; the others are
 * rejected as merged. Members not found on the second read (deleted meanwhile) are left alone.
 */
export function decideDuplicates(
  clusters: readonly DuplicateCluster[],
  members: ReadonlyMap<string, ClusterMember>,
  policy: DuplicatePolicy,
  usernameTaken: (username: string) => boolean = () => false,
): Map<string, DuplicateDecision> {
  if (policy.usernames === undefined) return decideByPolicy(clusters, members, policy);
  // Usernames have a policy of their own: the other clusters first, then the usernames among the users still sent.
  const others = clusters.filter((cluster) => cluster.kind !== 'username');
  const decisions = policy.policy === undefined ? new Map<string, DuplicateDecision>() : decideByPolicy(others, members, policy);
  decideUsernames(clusters.filter((cluster) => cluster.kind === 'username'), members, policy.usernames, usernameTaken, decisions);
  return decisions;
}

function decideByPolicy(
  clusters: readonly DuplicateCluster[],
  members: ReadonlyMap<string, ClusterMember>,
  policy: DuplicatePolicy,
): Map<string, DuplicateDecision> {
  const clustersOf = new Map<string, number[]>();
  clusters.forEach((cluster, index) => {
    for (const legacyId of cluster.legacyIds) {
      if (members.has(legacyId)) clustersOf.set(legacyId, [...(clustersOf.get(legacyId) ?? []), index]);
    }
  });
  const known = [...members.values()].filter((member) => clustersOf.has(member.legacyId));
  return policy.policy === 'merge' ? decideMerge(clusters, known, clustersOf) : decideKeep(clusters, known, clustersOf, policy);
}

function decideKeep(clusters: readonly DuplicateCluster[], known: ClusterMember[], clustersOf: Map<string, number[]>, policy: DuplicatePolicy) {
  const ordered = policy.policy === 'keepNewest' ? known.sort((a, b) => compareNewest(b.newest, a.newest) || a.ordinal - b.ordinal) : known.sort((a, b) => a.ordinal - b.ordinal);
  const why = policy.policy === 'keepNewest' ? `the newest by ${policy.newestBy ?? '?'}` : 'the first in key order';
  const holder = new Map<number, string>();
  const decisions = new Map<string, DuplicateDecision>();
  for (const member of ordered) {
    const indexes = clustersOf.get(member.legacyId) ?? [];
    const clash = indexes.find((index) => holder.has(index));
    if (clash === undefined) {
      for (const index of indexes) holder.set(index, member.legacyId);
      decisions.set(member.legacyId, { action: 'send' });
      continue;
    }
    const kept = holder.get(clash) as string;
    const cluster = clusters[clash] as DuplicateCluster;
    decisions.set(member.legacyId, {
      action: 'reject',
      keptLegacyId: kept,
      rejection: rejectionFor(cluster, 'duplicate', `same ${LABEL[cluster.kind]} as legacy id ${kept}, which is sent (${why})`),
    });
  }
  return decisions;
}

function decideMerge(clusters: readonly DuplicateCluster[], known: ClusterMember[], clustersOf: Map<string, number[]>) {
  // Union-find over legacy ids: the members of one cluster are one group.
  const parent = new Map<string, string>(known.map((member) => [member.legacyId, member.legacyId]));
  const root = (id: string): string => {
    const up = parent.get(id) as string;
    if (up === id) return id;
    const top = root(up);
    parent.set(id, top);
    return top;
  };
  for (const cluster of clusters) {
    const ids = cluster.legacyIds.filter((id) => parent.has(id));
    for (const id of ids.slice(1)) parent.set(root(id), root(ids[0] as string));
  }
  const groups = new Map<string, ClusterMember[]>();
  for (const member of known.sort((a, b) => a.ordinal - b.ordinal)) groups.set(root(member.legacyId), [...(groups.get(root(member.legacyId)) ?? []), member]);

  const decisions = new Map<string, DuplicateDecision>();
  for (const [survivor, ...others] of groups.values()) {
    if (!survivor) continue;
    decisions.set(survivor.legacyId, { action: 'send', merged: mergeIdentities([survivor], others) });
    for (const other of others) {
      const cluster = clusters[(clustersOf.get(other.legacyId) as number[])[0] as number] as DuplicateCluster;
      decisions.set(other.legacyId, {
        action: 'reject',
        keptLegacyId: survivor.legacyId,
        rejection: rejectionFor(cluster, 'duplicate_merged', `merged into legacy id ${survivor.legacyId} (same ${LABEL[cluster.kind]} in the group): its wallets and OAuth accounts are sent with that user`),
      });
    }
  }
  return decisions;
}


/**
 * `duplicates.usernames`: in each username cluster, the first member still sent (key order)
 * keeps the username; each later one is rejected, sent without a username (`drop`), or sent as
 * `<name>_<tag>` (`suffix`): the tag is four base-36 characters of a hash of its legacy id, the
 * name cut so the whole stays within 20 characters, and the first candidate that no user of the
 * source has and no other rename took. A tag of the user's own, not a counter, keeps each rename
 * the same from run to run while other users join or leave the cluster (a counter would renumber
 * users already in Dynamic); only a change of keeper moves it. Decisions are added to `decisions`.
 */
function decideUsernames(
  clusters: readonly DuplicateCluster[],
  members: ReadonlyMap<string, ClusterMember>,
  mode: NonNullable<DuplicatePolicy['usernames']>,
  usernameTaken: (username: string) => boolean,
  decisions: Map<string, DuplicateDecision>,
): void {
  const given = new Set<string>();
  const free = (candidate: string) => !given.has(usernameKey(candidate)) && !usernameTaken(candidate);
  for (const cluster of clusters) {
    const sent = cluster.legacyIds
      .map((legacyId) => members.get(legacyId))
      .filter((member): member is ClusterMember => member !== undefined && decisions.get(member.legacyId)?.action !== 'reject')
      .sort((a, b) => a.ordinal - b.ordinal);
    const [keeper, ...later] = sent;
    if (!keeper) continue;
    for (const member of later) {
      const current = decisions.get(member.legacyId);
      const base = current?.action === 'send' ? current : { action: 'send' as const };
      if (mode === 'reject') {
        decisions.set(member.legacyId, { action: 'reject', keptLegacyId: keeper.legacyId, rejection: rejectionFor(cluster, 'duplicate', `same username as legacy id ${keeper.legacyId}, which keeps it (duplicates.usernames: reject)`) });
      } else if (mode === 'drop' || member.username === undefined) {
        decisions.set(member.legacyId, { ...base, username: { to: null, keptBy: keeper.legacyId } });
      } else {
        const to = suffixed(member.username, member.legacyId, free);
        given.add(usernameKey(to));
        decisions.set(member.legacyId, { ...base, username: { to, keptBy: keeper.legacyId } });
      }
    }
  }
}

/** `name_<tag>`: the tag from the legacy id (and, on a collision, an attempt number), the name cut by code points so the whole fits in 20. */
function suffixed(username: string, legacyId: string, free: (candidate: string) => boolean): string {
  const chars = [...username];
  for (let attempt = 0; ; attempt++) {
    const suffix = `_${tagOf(attempt === 0 ? legacyId : `${legacyId}:${attempt}`)}`;
    const candidate = chars.slice(0, USERNAME_MAX_CHARS - suffix.length).join('') + suffix;
    if (free(candidate)) return candidate;
  }
}

/** Four base-36 characters of a hash of `text`: 1.7 million tags, so a collision is rare and then retried. */
function tagOf(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  return (digest.readUInt32BE(0) % 36 ** 4).toString(36).padStart(4, '0');
}

function rejectionFor(cluster: DuplicateCluster, rule: string, message: string): Omit<Rejection, 'legacyId'> {
  return { field: cluster.field, rule, message, value: cluster.key };
}

/** Greatest first; null (no value) is older than any value; numbers and dates by value, text as text. */
function compareNewest(a: unknown, b: unknown): number {
  const x = rankOf(a);
  const y = rankOf(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

function rankOf(value: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  return String(value);
}
