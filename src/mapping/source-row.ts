/**
 * One legacy user as the extractor hands it to the mapper. The extractor produces exactly this
 * shape; it is declared here too so the mapping stage compiles on its own.
 */
export interface SourceRow {
  /** Primary key value as a string (bigint/int/uuid/text all normalised with String()). */
  key: string;
  /** The user row as pg returns it (timestamptz as Date, int8 as string, jsonb as objects). */
  row: Record<string, unknown>;
  /** Child rows by the child name declared in the mapping's `source.children`. */
  children: Record<string, Record<string, unknown>[]>;
  /**
   * The rows of each lookup of `source.lookups` matching this user (a lookup promises at most one;
   * more are the mapper's to report), and how many other users of the source share them.
   * Absent when the mapping has no lookups.
   */
  lookups?: Record<string, LookupRows>;
}

/** What one lookup found for one user. */
export interface LookupRows {
  rows: Record<string, unknown>[];
  /** Other users of the source with the same `userKey` value (counted for one-to-one lookups on a column other than the primary key, else 0). */
  sharedWith: number;
}
