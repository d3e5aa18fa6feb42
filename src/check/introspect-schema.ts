import { sql } from 'kysely';
import type { SourceDb } from '../extract/index.js';
import { toExtractError } from '../extract/to-extract-error.js';
import { quoteIdent } from '../shared/checked-out-client.js';
import type { IntrospectedColumn, IntrospectedTable, SchemaSnapshot } from './compare-refs.js';

/**
 * Reads what the database has for each table name as a mapping writes it (`users`,
 * `auth.users`): `to_regclass` resolves the name as the extractor's queries will (quoted
 * identifiers, the connection's search_path for unqualified names), then
 * `information_schema.columns` lists its columns. Also lists the tables the user could have
 * meant, for "did you mean". Read-only queries; throws `ExtractError` when they fail.
 */
export async function introspectSchema(db: SourceDb, tableNames: readonly string[]): Promise<SchemaSnapshot> {
  try {
    const tables = new Map<string, IntrospectedTable>();
    for (const name of tableNames) tables.set(name, await introspectTable(db, name));
    return { tables, knownTables: await listTables(db) };
  } catch (error) {
    throw toExtractError(error, 'reading the source schema');
  }
}

async function introspectTable(db: SourceDb, name: string): Promise<IntrospectedTable> {
  const found = await sql<{ schema: string; name: string }>`
    select n.nspname as schema, c.relname as name
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.oid = to_regclass(${quotedName(name)})`.execute(db);
  const table = found.rows[0];
  if (!table) return null;
  const columns = await sql<IntrospectedColumn>`
    select column_name as "name", data_type as "dataType", udt_name as "udtName"
    from information_schema.columns
    where table_schema = ${table.schema} and table_name = ${table.name}
    order by ordinal_position`.execute(db);
  return { resolved: `${table.schema}.${table.name}`, columns: columns.rows };
}

/** Tables and views on the search path (written bare) and in every other user schema (qualified). */
async function listTables(db: SourceDb): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select case when table_schema = any(current_schemas(false)) then table_name
                else table_schema || '.' || table_name end as name
    from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema')
    order by 1`.execute(db);
  return result.rows.map((row) => row.name);
}

/** `auth.users` → `"auth"."users"`, so to_regclass matches case exactly as the extractor's quoted names do. */
function quotedName(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}
