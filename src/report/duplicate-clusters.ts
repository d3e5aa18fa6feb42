import type { UsernameChange } from '../duplicates/index.js';
import type { MapResult } from '../mapping/index.js';

/**
 * Users of the source that would collide in Dynamic (same email ignoring case, username, wallet
 * address, or OAuth provider + account id), as the report shows them. The key is masked.
 */
export interface DuplicateCluster {
  /** What they share: `email`, `username`, `wallet`, `oauth` (a detector may add others). */
  kind: string;
  /** The shared value, masked (`j…m (17 chars)`): never in clear. */
  key: string;
  /** How many rows share it. */
  rows: number;
  /** Some of the rows' ids (a detector keeps a bounded number). */
  legacyIds: string[];
  /** What the run does about it, in words: "all but the first rejected", "wallets merged into 12". */
  resolution?: string;
}

/**
 * What the report needs from a duplicate detector: to see every mapped row, and to list the
 * clusters at the end. Bounded memory is the detector's business. Until one is plugged in, the
 * report says duplicates were not looked at (not that there are none).
 */
export interface DuplicateClusterSource {
  observe(result: MapResult): void;
  clusters(): DuplicateCluster[];
  /**
   * For a detector that lists only some clusters or could not look at every identity: the number
   * found in all, and a note saying what was left out. Without it, `clusters()` is the whole story.
   */
  summary?(): DuplicateSummary;
  /** Every rename and drop of the mapping's usernames policy (none without one). */
  usernameChanges?(): UsernameChange[];
}

/** What a bounded detector says beside its clusters (see {@link DuplicateClusterSource.summary}). */
export interface DuplicateSummary {
  /** Clusters found in all, listed or not. */
  total: number;
  /** Why the list may be incomplete, in words for the reader; absent when it is complete. */
  note?: string;
}
