import { sql } from 'kysely';
import type { SourceDb, SourceSpec } from '../extract/index.js';
import { columnRef, tableRef } from '../extract/source-sql.js';
import { toExtractError } from '../extract/to-extract-error.js';

const KEYS_PER_QUERY = 1000;

/**
 * Which of `keys` still exist in the source table, ignoring the mapping's filter: tells a soft
 * delete (row still there, filtered out) from a hard delete (row gone). Read-only, by primary key.
 */
export async function rowsStillPresent(db: SourceDb, spec: Pick<SourceSpec, 'table' | 'primaryKey'>, keys: readonly string[]): Promise<Set<string>> {
  const present = new Set<string>();
  const pk = columnRef(spec.primaryKey);
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const chunk = keys.slice(start, start + KEYS_PER_QUERY);
    // `pk = any($1)`: PostgreSQL types the array after the column, so bigint, uuid and text keys all work.
    const query = sql<{ key: unknown }>`select ${pk} as key from ${tableRef(spec.table)} where ${pk} = any(${chunk})`;
    try {
      for (const row of (await query.execute(db)).rows) present.add(String(row.key));
    } catch (error) {
      throw toExtractError(error, `looking up rows of source table "${spec.table}" by primary key "${spec.primaryKey}"`);
    }
  }
  return present;
}
