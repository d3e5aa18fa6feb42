import type { UserPayload } from '../contract/index.js';
import { FIELD_OF_KIND, forEachIdentity } from './duplicate-keys.js';
import type { DuplicateKind } from './duplicate-keys.js';
import { FingerprintTable, INSERTED, TABLE_FULL } from './fingerprint-table.js';
import { fingerprintInto } from './identity-fingerprint.js';
import { maskIdentity } from '../shared/mask.js';
import { legacyIdOfTag, rowTag, UNLISTED_CLUSTER } from './row-tag.js';

/** A cluster as the bounded detector lists it: exact `rows`, some of their ids. */
export interface CountedCluster {
  kind: DuplicateKind;
  /** The shared value, masked (`j…m (17 chars)`). */
  key: string;
  field: string;
  /** Rows sharing it, exactly (every row counted once). */
  rows: number;
  /**
   * Up to `maxIds` of them in the order seen. The first holder is named when its legacy id is an
   * integer below 2^31 - 1 (it is kept as a 32-bit number); other ids are listed from the second on.
   */
  legacyIds: string[];
}

/** How far the detection went: what the report says beside the clusters. */
export interface DetectionStatus {
  /** Clusters found in all, listed or not. */
  total: number;
  /** Clusters found after the first `maxClusters`: counted, not listed. */
  unlisted: number;
  /** Distinct identities held. */
  identities: number;
  /** The table filled up: identities first seen after that were not looked at. */
  saturated: boolean;
  /** The fixed memory of the table. */
  tableBytes: number;
}

export interface BoundedDetectorOptions {
  /** @default DEFAULT_SLOTS (72 MiB) */
  slots?: number;
  /** Clusters listed with their ids; later ones are only counted. @default 5000 */
  maxClusters?: number;
  /** Ids kept per listed cluster. @default 10 */
  maxIds?: number;
}

/**
 * Identities looked up in the table together. One look-up is a cache (and TLB) miss into a table of
 * tens of MiB, and done one at a time between rows each one stalls on its own; in a tight loop the
 * CPU overlaps several. Results are the same, only later: `clusters` and `status` look up what waits.
 */
const LOOKUP_BATCH = 1024;

interface Listed extends CountedCluster {
  lastTag: number;
}

/**
 * The report's duplicate detector, in fixed memory: a preallocated table of 64-bit fingerprints
 * (see `FingerprintTable`) flags an identity seen before, and only clusters keep detail (the first
 * `maxClusters`, each with up to `maxIds` ids and an exact row count, ~1 KB each at most). A row is
 * known by its 32-bit tag (`rowTag`), so observing the same row again adds nothing.
 */
export function createBoundedDuplicateDetector(options: BoundedDetectorOptions = {}) {
  const table = new FingerprintTable(options.slots);
  const maxClusters = options.maxClusters ?? 5000;
  const maxIds = options.maxIds ?? 10;
  const listed = new Map<string, Listed>();
  const status = { total: 0, unlisted: 0, saturated: false };
  const fingerprint = new Uint32Array(2);
  let legacyId = '';
  let tag = 0;
  // Identities wait here until a batch of them is looked up in one tight loop: see LOOKUP_BATCH.
  const waitingFingerprints = new Uint32Array(LOOKUP_BATCH * 2);
  const waitingTags = new Uint32Array(LOOKUP_BATCH);
  const waitingKinds: DuplicateKind[] = [];
  const waitingKeys: string[] = [];
  const waitingIds: string[] = [];
  let waiting = 0;
  let _warmed = 0; // kept, so the warming loads are not optimised away

  const observeKey = (kind: DuplicateKind, normalised: string) => {
    fingerprintInto(fingerprint, kind, normalised);
    waitingFingerprints[waiting * 2] = fingerprint[0] as number;
    waitingFingerprints[waiting * 2 + 1] = fingerprint[1] as number;
    waitingTags[waiting] = tag;
    waitingKinds[waiting] = kind;
    waitingKeys[waiting] = normalised;
    waitingIds[waiting] = legacyId;
    if (++waiting === LOOKUP_BATCH) lookUpWaiting();
  };

  const lookUpWaiting = () => {
    let sink = 0;
    for (let index = 0; index < waiting; index++) sink ^= table.warm(waitingFingerprints[index * 2] as number);
    _warmed ^= sink;
    for (let index = 0; index < waiting; index++) {
      const hi = waitingFingerprints[index * 2] as number;
      const lo = waitingFingerprints[index * 2 + 1] as number;
      const slot = table.claim(hi, lo, waitingTags[index] as number);
      if (slot !== INSERTED) settleSeen(slot, hi, lo, index);
    }
    waiting = 0;
  };

  /** An identity the table had already, or could not take: the waiting one at `index`. */
  const settleSeen = (slot: number, hi: number, lo: number, index: number) => {
    if (slot === TABLE_FULL) {
      status.saturated = true;
      return;
    }
    const rowTagOf = waitingTags[index] as number;
    const rowLegacyId = waitingIds[index] as string;
    const owner = table.ownerAt(slot);
    if (owner === rowTagOf || owner === UNLISTED_CLUSTER) return;
    const id = `${hi}:${lo}`;
    const cluster = listed.get(id);
    if (cluster) {
      if (cluster.lastTag === rowTagOf || cluster.legacyIds.includes(rowLegacyId)) return;
      cluster.lastTag = rowTagOf;
      cluster.rows++;
      if (cluster.legacyIds.length < maxIds) cluster.legacyIds.push(rowLegacyId);
      return;
    }
    status.total++;
    if (listed.size >= maxClusters) {
      status.unlisted++;
      table.setOwner(slot, UNLISTED_CLUSTER);
      return;
    }
    const kind = waitingKinds[index] as DuplicateKind;
    const first = legacyIdOfTag(owner);
    const legacyIds = (first === undefined ? [rowLegacyId] : [first, rowLegacyId]).slice(0, maxIds);
    listed.set(id, { kind, key: maskIdentity(kind, waitingKeys[index] as string), field: FIELD_OF_KIND[kind], rows: 2, legacyIds, lastTag: rowTagOf });
  };

  return {
    /** Records the identities of one mapped user. */
    observe(rowLegacyId: string, payload: UserPayload): void {
      legacyId = rowLegacyId;
      tag = rowTag(rowLegacyId);
      forEachIdentity(payload, observeKey);
    },
    /** The listed clusters, in the order they became clusters (copies). */
    clusters(): CountedCluster[] {
      lookUpWaiting();
      return [...listed.values()].map(({ lastTag: _lastTag, ...cluster }) => ({ ...cluster, legacyIds: [...cluster.legacyIds] }));
    },
    status(): DetectionStatus {
      lookUpWaiting();
      return { ...status, identities: table.used, tableBytes: table.bytes };
    },
  };
}

export type BoundedDuplicateDetector = ReturnType<typeof createBoundedDuplicateDetector>;
