import { sql } from 'kysely';
import type { SourceSpec } from '../mapping/source-spec.js';
import type { SourceDb } from './connect-source.js';
import { keyRangeConditions } from './read-source-pages.js';
import { columnRef, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';
import { executeRaw } from './select-rows.js';

/**
 * How many rows {@link readSourcePages} will yield from `after` on (up to `last`): a `count(*)` with the same
 * keyset condition and filter. For the progress bar's total only; rows added meanwhile are still
 * read, so the bar may end slightly past 100%.
 */
export async function countSourceRows(db: SourceDb, spec: SourceSpec, range: { after: string | null; last?: string | null }, signal?: AbortSignal): Promise<number> {
  const where = whereClause(keyRangeConditions(columnRef(spec.primaryKey), range.after, range.last ?? null), spec.filter);
  try {
    const result = await executeRaw(db, sql<{ count: string }>`select count(*)::text as count from ${tableRef(spec.table)} ${where}`, signal);
    return Number(result.rows[0]?.count ?? 0);
  } catch (error) {
    throw toExtractError(error, `counting rows of source table "${spec.table}"`);
  }
}
