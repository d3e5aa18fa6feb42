import { sql } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SourceDb } from './connect-source.js';
import { toExtractError } from './to-extract-error.js';
import { executeRaw } from './select-rows.js';

/**
 * `now() - lag` by the source database's clock, as PostgreSQL prints a `timestamptz` (exact to the
 * microsecond). The database clock, not ours: it is the clock that stamped the rows, so a skewed
 * client clock can neither skip rows nor read the same window twice. Rows that commit later with
 * an older timestamp (long transactions) are why there is a lag at all.
 * @throws ConfigError for a negative or non-finite lag; ExtractError when the query fails.
 */
export async function databaseNow(db: SourceDb, lagSeconds: number, signal?: AbortSignal): Promise<string> {
  if (!Number.isFinite(lagSeconds) || lagSeconds < 0) throw new ConfigError(`lag must be zero or more seconds, got ${lagSeconds}`);
  try {
    const result = await executeRaw(db, sql<{ now: string }>`select (now() - ${lagSeconds}::float8 * interval '1 second')::text as now`, signal);
    const now = result.rows[0]?.now;
    if (!now) throw new Error('select now() returned no row');
    return now;
  } catch (error) {
    throw toExtractError(error, 'reading the source database clock');
  }
}
