/**
 * One legacy user as the extractor hands it to the mapper: the row itself, its primary key as an
 * exact string, and its child rows grouped by the child names of the mapping's `source.children`.
 */
export interface SourceRow {
  /** Primary key value as a string (bigint/int/uuid/text all normalised with `String()`). */
  key: string;
  /** The row as the driver returns it (`int8` stays a string, timestamps are `Date`s). */
  row: Record<string, unknown>;
  /** Child rows by child name; every configured child name is present, `[]` when the user has none. */
  children: Record<string, Record<string, unknown>[]>;
  /** Incremental reads only: the change column's value as exact text (see `ChangeCursor`). */
  cursor?: string;
}
