import type { SourceSpec as MappingSourceSpec } from '../mapping/mapping-spec.js';
import type { SourceFilter } from '../mapping/source-spec.js';

/**
 * What the extractor needs to know about the legacy tables: the mapping's `source` section, whose
 * zod schema (and documentation of each field) lives in src/mapping/source-spec.ts, plus, per
 * table, the columns worth reading (see `withReadColumns`). Defined here so extractor code and its
 * callers import it from one place; a mapping's own `source` section is one (it reads every column).
 */
export type { SourceFilter };

/** The columns a query selects: those the mapping uses that the table has; absent means `*`. */
export interface ReadColumns {
  readColumns?: readonly string[];
}

/** One child table (wallets, identities, ...) joined to the user by `foreignKey`. */
export type SourceChildSpec = NonNullable<MappingSourceSpec['children']>[string] & ReadColumns;

/** One related table with at most one row per user (a profile, an account), by `key = userKey`. */
export type SourceLookupSpec = NonNullable<MappingSourceSpec['lookups']>[string] & ReadColumns;

export type SourceSpec = Omit<MappingSourceSpec, 'children' | 'lookups'> & ReadColumns & {
  children?: Record<string, SourceChildSpec>;
  lookups?: Record<string, SourceLookupSpec>;
};
