import { sql } from 'kysely';
import { ConfigError } from '../errors.js';
import { hiddenColumnNames, type SourceSpec } from '../mapping/source-spec.js';
import type { SourceDb } from './connect-source.js';
import { quoteIdent } from '../shared/checked-out-client.js';
import { executeRaw } from './select-rows.js';
import { toExtractError } from './to-extract-error.js';

/** The columns to read per table, by record: `source`, each child's name and each lookup's. */
export interface WantedColumns {
  source: readonly string[];
  children: Readonly<Record<string, readonly string[]>>;
  lookups?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The spec with `readColumns` set on the source, each child and each lookup: the wanted columns the table
 * really has, in the wanted order. A wanted column the table lacks is left out, so it reads as
 * missing exactly as it did under `select *` (`dynamic-migrate check` is what reports it); a table
 * that cannot be found keeps `*`, so its query fails with the usual error naming it.
 */
export async function withReadColumns(db: SourceDb, spec: SourceSpec, wanted: WantedColumns): Promise<SourceSpec> {
  const readable = async (table: string, columns: readonly string[] | undefined) => {
    if (!columns || columns.length === 0) return undefined;
    const present = await columnsOf(db, table);
    return present.size === 0 ? undefined : columns.filter((column) => present.has(column));
  };
  const children: NonNullable<SourceSpec['children']> = {};
  for (const [name, child] of Object.entries(spec.children ?? {})) {
    const readColumns = await readable(child.table, wanted.children[name]);
    children[name] = readColumns ? { ...child, readColumns } : child;
  }
  const lookups: NonNullable<SourceSpec['lookups']> = {};
  for (const [name, lookup] of Object.entries(spec.lookups ?? {})) {
    const readColumns = await readable(lookup.table, wanted.lookups?.[name]);
    lookups[name] = readColumns ? { ...lookup, readColumns } : lookup;
  }
  await refuseHiddenColumns(db, spec);
  const readColumns = await readable(spec.table, wanted.source);
  return { ...spec, ...(readColumns ? { readColumns } : {}), ...(spec.children ? { children } : {}), ...(spec.lookups ? { lookups } : {}) };
}

/**
 * A lookup or pick reads like a column of the user row (the mapper adds its record to the row), so
 * it must not be named like one: refused before anything is read, by every command that maps rows.
 * @throws ConfigError naming the column
 */
export async function refuseHiddenColumns(db: SourceDb, spec: SourceSpec): Promise<void> {
  if (!spec.lookups && !spec.picks) return;
  const userColumns = await columnsOf(db, spec.table);
  const [hidden] = hiddenColumnNames(spec, (name) => userColumns.has(name));
  if (hidden) throw new ConfigError(`table "${spec.table}" has a column "${hidden.name}", which the lookup or pick "${hidden.name}" would hide: give it another name`);
}

/** The table's (or view's) column names; empty when there is no such relation. */
async function columnsOf(db: SourceDb, table: string): Promise<Set<string>> {
  return new Set((await columnTypesOf(db, table)).keys());
}

/** The table's (or view's) columns and their types as `format_type` names them (`text`, `character varying(40)`); empty when there is no such relation. */
export async function columnTypesOf(db: SourceDb, table: string, signal?: AbortSignal): Promise<Map<string, string>> {
  // Quoted part by part, as the readers quote it (`sql.table`), so the same relation is found.
  const quoted = table.split('.').map(quoteIdent).join('.');
  try {
    const { rows } = await executeRaw(db, sql<{ name: string; type: string }>`
      select attname as name, format_type(atttypid, null) as type from pg_catalog.pg_attribute
      where attrelid = to_regclass(${quoted}) and attnum > 0 and not attisdropped`, signal);
    return new Map(rows.map((row) => [row.name, row.type]));
  } catch (error) {
    throw toExtractError(error, `listing the columns of "${table}"`);
  }
}
