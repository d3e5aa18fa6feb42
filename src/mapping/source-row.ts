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
}
