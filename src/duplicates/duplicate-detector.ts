import type { UserPayload } from '../contract/index.js';
import { identityKeysOf } from './duplicate-keys.js';
import type { DuplicateKind, IdentityKey } from './duplicate-keys.js';
import { fingerprintKey } from './identity-fingerprint.js';
import { maskIdentity } from '../shared/mask.js';

/** Users of the source that Dynamic would not accept side by side: they share one identity. */
export interface DuplicateCluster {
  /** What they share. */
  kind: DuplicateKind;
  /** The shared value, masked (`j…m (17 chars)`): never in clear. */
  key: string;
  /** The payload field it is in: `email`, `username`, `wallets`, `oauthAccounts`. */
  field: string;
  /** Every row sharing it, in the order they were observed (key order when read from the source). */
  legacyIds: string[];
}

/** Sees mapped users one by one and lists, at the end, those sharing an identity. */
export interface DuplicateDetector {
  /** Records the identities of one mapped user. Observing the same legacy id again adds nothing. */
  observe(legacyId: string, payload: UserPayload): void;
  /** The clusters so far: identities seen in two users or more, in the order they became clusters. */
  clusters(): DuplicateCluster[];
  /** Whether some observed user has this identity (normalised as `identityKeysOf` does). */
  has(kind: DuplicateKind, normalised: string): boolean;
}

/**
 * The exact detector behind the mapping's `duplicates` policies, which need every member of every
 * cluster: memory grows with the number of distinct identities. Each normalised identity is kept
 * only as its 64-bit fingerprint (a 4-character string, see `fingerprintKey`) mapped to the first
 * legacy id that had it: ~70 bytes per distinct identity with the Map's overhead (a legacy id's
 * string is shared by all its identities). Clear values are never kept; a cluster is materialised,
 * with its masked key, only when a second user shows the same identity. Runs without a policy use
 * the fixed-size `createBoundedDuplicateDetector` instead.
 */
export function createDuplicateDetector(): DuplicateDetector {
  const firstSeen = new Map<string, string>();
  const found = new Map<string, DuplicateCluster>();

  const observeKey = (legacyId: string, identity: IdentityKey) => {
    const digest = fingerprintKey(identity.kind, identity.normalised);
    const cluster = found.get(digest);
    if (cluster) {
      if (!cluster.legacyIds.includes(legacyId)) cluster.legacyIds.push(legacyId);
      return;
    }
    const first = firstSeen.get(digest);
    if (first === undefined) {
      firstSeen.set(digest, legacyId);
    } else if (first !== legacyId) {
      firstSeen.delete(digest); // the cluster holds it from now on
      found.set(digest, { kind: identity.kind, key: maskIdentity(identity.kind, identity.normalised), field: identity.field, legacyIds: [first, legacyId] });
    }
  };

  return {
    observe(legacyId, payload) {
      for (const identity of identityKeysOf(payload)) observeKey(legacyId, identity);
    },
    clusters() {
      return [...found.values()].map((cluster) => ({ ...cluster, legacyIds: [...cluster.legacyIds] }));
    },
    has(kind, normalised) {
      const digest = fingerprintKey(kind, normalised);
      return firstSeen.has(digest) || found.has(digest);
    },
  };
}
