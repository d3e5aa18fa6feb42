import { sql } from 'kysely';
import type { SourceDb } from './connect-source.js';
import type { SourceSpec } from './source-spec.js';
import { columnRef, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

/**
 * How many rows {@link readSourcePages} will yield from `after` on: a `count(*)` with the same
 * keyset condition and filter. For the progress bar's total only; rows added meanwhile are still
 * read, so the bar may end slightly past 100%.
 */
export async function countSourceRows(db: SourceDb, spec: SourceSpec, after: string | null, signal?: AbortSignal): Promise<number> {
  const where = whereClause(after === null ? [] : [sql`${columnRef(spec.primaryKey)} > ${after}`], spec.filter);
  try {
    const result = await sql<{ count: string }>`select count(*)::text as count from ${tableRef(spec.table)} ${where}`.execute(db, { signal });
    return Number(result.rows[0]?.count ?? 0);
  } catch (error) {
    throw toExtractError(error, `counting rows of source table "${spec.table}"`);
  }
}
