/**
 * One legacy user as the extractor hands it to the mapper: the row itself, its primary key as an
 * exact string, and its child rows grouped by the child names of the mapping's `source.children`.
 * Declared in the mapping stage, which compiles on its own; the extractor produces exactly this.
 */
export interface SourceRow {
  /** Primary key value as a string (bigint/int/uuid/text all normalised with `String()`). */
  key: string;
  /** The user row as the driver returns it (`int8` stays a string, timestamps are `Date`s, jsonb is parsed). */
  row: Record<string, unknown>;
  /** Child rows by child name; every configured child name is present, `[]` when the user has none. */
  children: Record<string, Record<string, unknown>[]>;
  /**
   * The rows of each lookup of `source.lookups` matching this user (a lookup promises at most one;
   * more are the mapper's to report), and how many other users of the source share them.
   * Absent when the mapping has no lookups.
   */
  lookups?: Record<string, LookupRows>;
  /** Incremental reads only: the change column's value as exact text (see `ChangeCursor`). */
  cursor?: string;
}

/** What one lookup found for one user. */
export interface LookupRows {
  rows: Record<string, unknown>[];
  /** Other users of the source with the same `userKey` value (counted for one-to-one lookups on a column other than the primary key, else 0). */
  sharedWith: number;
}
