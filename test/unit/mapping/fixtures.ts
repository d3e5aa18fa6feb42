import { parseMapping } from '../../../src/mapping/index.js';
import type { MappingSpec, MappingSpecInput, SourceRow } from '../../../src/mapping/index.js';

/**
 * A parsed mapping over `users` with `wallets` and `identities` children, plus the given sections.
 * `options.onInvalid` is `reject` unless the sections say otherwise: these tests pin what a value
 * does to its user, and the drop defaults have tests of their own (invalid-values.test.ts).
 */
export function spec(sections: Omit<MappingSpecInput, 'source'> & { source?: MappingSpecInput['source'] } = {}): MappingSpec {
  return parseMapping(
    {
      source: {
        table: 'users',
        primaryKey: 'id',
        children: { wallets: { table: 'user_wallets', foreignKey: 'user_id' }, identities: { table: 'user_identities', foreignKey: 'user_id' } },
      },
      ...sections,
      options: { onInvalid: 'reject', ...sections.options },
    },
    'test-mapping.json',
  );
}

/** A source row with the given columns and children. */
export function source(row: Record<string, unknown>, children: SourceRow['children'] = {}, key = '42'): SourceRow {
  return { key, row, children };
}
