import { sql, type RawBuilder } from 'kysely';
import type { SourceSpec } from '../mapping/source-spec.js';
import type { SourceDb } from './connect-source.js';
import { selectRows } from './select-rows.js';
import { columnRef, selectList, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/**
 * The source rows meeting `conditions` and the source filter, in primary-key order, with the
 * columns to read (`select *` when not told which); at most `limit` when given. What every read
 * of user rows shares (`readSourcePages`, `readKeyRange`, `readChangedChildParents`); `doing` says
 * what a failure interrupted.
 */
export async function readParentRows(
  db: SourceDb,
  spec: SourceSpec,
  conditions: RawBuilder<unknown>[],
  opts: { limit?: number; signal?: AbortSignal | undefined; doing?: string },
): Promise<Row[]> {
  const pk = columnRef(spec.primaryKey);
  const limit = opts.limit === undefined ? sql`` : sql` limit ${sql.lit(opts.limit)}`;
  const query = sql<Row>`select ${selectList(spec.readColumns)} from ${tableRef(spec.table)} ${whereClause(conditions, spec.filter)} order by ${pk}${limit}`;
  try {
    return await selectRows(db, query, opts.signal);
  } catch (error) {
    throw toExtractError(error, opts.doing ?? `reading source table "${spec.table}" (primary key "${spec.primaryKey}")`);
  }
}
