import type { SourceSpec } from '../mapping/mapping-spec.js';
import type { SourceFilter } from '../mapping/source-spec.js';

/**
 * What the extractor needs to know about the legacy tables: the mapping's `source` section, whose
 * zod schema (and documentation of each field) lives in src/mapping/source-spec.ts. Re-exported
 * here so extractor code and its callers import it from one place.
 */
export type { SourceFilter, SourceSpec };

/** One child table (wallets, identities, ...) joined to the user by `foreignKey`. */
export type SourceChildSpec = NonNullable<SourceSpec['children']>[string];
