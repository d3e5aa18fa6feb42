import { sql, type RawBuilder } from 'kysely';
import { ConfigError } from '../errors.js';
import type { SourceRow } from '../mapping/source-row.js';
import type { SourceSpec } from '../mapping/source-spec.js';
import { attachChildren } from './attach-children.js';
import type { ChangeCursor } from './change-cursor.js';
import type { SourceDb } from './connect-source.js';
import { selectRows, executeRaw } from './select-rows.js';
import { columnRef, selectList, tableRef, whereClause } from './source-sql.js';
import { toExtractError } from './to-extract-error.js';

type Row = Record<string, unknown>;

/** Column alias carrying the change column as text; removed from the row before it is handed on. */
const CURSOR_ALIAS = '__dynamic_migrate_cursor';

/** Options of {@link readChangedPages}. */
export interface ReadChangedPagesOptions {
  /** Read strictly after this `(change column, key)` position. */
  after: ChangeCursor;
  /** Frozen upper bound (`now() - lag`, as text): rows changed later are left for the next run. */
  upper: string;
  pageSize: number;
  signal?: AbortSignal;
}

/**
 * Reads the rows changed in `(after, upper]`, in `(change column, primary key)` order, keyset
 * paginated on the tuple (`where (c, pk) > ($at::timestamptz, $key) and c <= $upper::timestamptz`).
 * Each row carries its change column as exact text in `cursor`. Rows whose change column is null
 * are never read here. Needs `spec.changeCursor`.
 * @throws ConfigError without a change cursor; ExtractError when a query fails.
 */
export async function* readChangedPages(db: SourceDb, spec: SourceSpec, opts: ReadChangedPagesOptions): AsyncGenerator<SourceRow[]> {
  const column = requireChangeColumn(spec);
  let after = opts.after;
  for (;;) {
    opts.signal?.throwIfAborted();
    const rows = await readChangedRows(db, spec, column, after, opts);
    if (rows.length === 0) return;
    const cursors = rows.map((row) => String(row[CURSOR_ALIAS]));
    for (const row of rows) delete row[CURSOR_ALIAS];
    const page = (await attachChildren(db, spec, rows, opts.signal)).map((row, index) => ({ ...row, cursor: cursors[index] as string }));
    yield page;
    if (rows.length < opts.pageSize) return;
    const last = page[page.length - 1] as SourceRow;
    after = { at: last.cursor as string, key: last.key };
  }
}

/** How many rows {@link readChangedPages} would read now; for the progress bar only. */
export async function countChangedRows(db: SourceDb, spec: SourceSpec, after: ChangeCursor, upper: string, signal?: AbortSignal): Promise<number> {
  const column = requireChangeColumn(spec);
  const query = sql<{ count: string }>`select count(*)::text as count from ${tableRef(spec.table)} ${changedWhere(spec, column, after, upper)}`;
  try {
    return Number((await executeRaw(db, query, signal)).rows[0]?.count ?? 0);
  } catch (error) {
    throw toExtractError(error, `counting changed rows of source table "${spec.table}"`);
  }
}

function requireChangeColumn(spec: SourceSpec): string {
  const column = spec.changeCursor?.column;
  if (!column) throw new ConfigError(`the mapping's source has no changeCursor: incremental reads need one (e.g. { column: 'updated_at' })`);
  return column;
}

function changedWhere(spec: SourceSpec, column: string, after: ChangeCursor, upper: string): RawBuilder<unknown> {
  const c = columnRef(column);
  const pk = columnRef(spec.primaryKey);
  // An empty key sorts before every key: `(c, pk) > (T, '')` is `c >= T`, and '' might not even
  // cast to the key's type.
  const lower = after.key === '' ? sql`${c} >= ${after.at}::timestamptz` : sql`(${c}, ${pk}) > (${after.at}::timestamptz, ${after.key})`;
  return whereClause([lower, sql`${c} <= ${upper}::timestamptz`], spec.filter);
}

async function readChangedRows(db: SourceDb, spec: SourceSpec, column: string, after: ChangeCursor, opts: ReadChangedPagesOptions): Promise<Row[]> {
  const c = columnRef(column);
  const pk = columnRef(spec.primaryKey);
  const query = sql<Row>`select ${selectList(spec.readColumns)}, ${c}::text as ${sql.id(CURSOR_ALIAS)} from ${tableRef(spec.table)} ${changedWhere(spec, column, after, opts.upper)} order by ${c}, ${pk} limit ${sql.lit(opts.pageSize)}`;
  try {
    return await selectRows(db, query, opts.signal);
  } catch (error) {
    throw toExtractError(error, `reading changed rows of source table "${spec.table}" (change column "${column}")`);
  }
}
