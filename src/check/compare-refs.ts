import { columnKindOf } from './column-kind.js';
import type { SchemaProblem } from './check-report.js';
import type { ColumnRef, TableUse } from './refs-to-check.js';
import { suggestName } from './suggest-name.js';
import { findTransformMismatch } from './transform-type-rules.js';

/** One column as `information_schema.columns` describes it. */
export interface IntrospectedColumn {
  name: string;
  /** `data_type`: `text`, `timestamp with time zone`, `ARRAY`, `USER-DEFINED`. */
  dataType: string;
  /** `udt_name`: `text`, `timestamptz`, `_int4`, the enum's name. */
  udtName: string;
}

/** A table as found in the database: its real name and columns, or `null` when it does not exist. */
export type IntrospectedTable = { resolved: string; columns: IntrospectedColumn[] } | null;

/** What {@link compareRefs} compares: the schema as introspected, keyed by table name as written. */
export interface SchemaSnapshot {
  tables: ReadonlyMap<string, IntrospectedTable>;
  /** Names a missing table may be a misspelling of (as they could be written in a mapping). */
  knownTables: readonly string[];
}

/**
 * Compares the tables and column refs of a mapping with the introspected schema, and returns
 * every problem at once: missing tables, missing columns (each once, with every use and a close
 * name when there is one), transforms that cannot take the column's type, and JSON paths into
 * columns that are not JSON. Pure.
 */
export function compareRefs(tables: readonly TableUse[], refs: readonly ColumnRef[], schema: SchemaSnapshot): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const { table, usedBy } of tables) {
    if (schema.tables.get(table) !== null) continue;
    const suggestion = suggestName(table, schema.knownTables);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
    problems.push({ severity: 'error', kind: 'missing_table', table, usedBy, ...(suggestion ? { suggestion } : {}), message: `table "${table}" does not exist (used by ${usedBy.join(', ')})${hint}` });
  }

  const missing = new Map<string, { ref: ColumnRef; usedBy: string[]; names: string[] }>();
  for (const ref of refs) {
    if (ref.column === '') continue; // a whole lookup or pick record: no column of its own
    const found = schema.tables.get(ref.table);
    if (!found) continue; // a missing table is reported once, above
    const column = found.columns.find((candidate) => candidate.name === ref.column);
    if (!column) {
      const key = `${ref.table}\u0000${ref.column}`;
      const entry = missing.get(key) ?? { ref, usedBy: [], names: found.columns.map((c) => c.name) };
      if (!entry.usedBy.includes(ref.usedBy)) entry.usedBy.push(ref.usedBy);
      missing.set(key, entry);
      continue;
    }
    const problem = typeProblem(ref, column);
    if (problem) problems.push(problem);
  }
  for (const { ref, usedBy, names } of missing.values()) {
    const suggestion = suggestName(ref.column, names);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
    problems.push({
      severity: 'error', kind: 'missing_column', table: ref.table, column: ref.column, usedBy,
      ...(suggestion ? { suggestion } : {}),
      message: `${ref.table}.${ref.column}: no such column (used by ${usedBy.join(', ')})${hint}`,
    });
  }
  return problems;
}

function typeProblem(ref: ColumnRef, column: IntrospectedColumn): SchemaProblem | undefined {
  const kind = columnKindOf(column.dataType, column.udtName);
  const where = `${ref.table}.${ref.column} (${column.dataType === 'USER-DEFINED' ? column.udtName : column.dataType})`;
  const base = { table: ref.table, column: ref.column, usedBy: [ref.usedBy] };
  if (ref.jsonPath.length > 0) {
    // The transforms apply to the value found at the path, whose type only the data knows.
    const path = [ref.column, ...ref.jsonPath].join('.');
    if (kind === 'json' || kind === 'unknown') return undefined;
    if (kind === 'text') {
      return { severity: 'warning', kind: 'json_in_text', ...base, message: `${where}: JSON path "${path}" reads a text column; every value must hold JSON text (used by ${ref.usedBy})` };
    }
    return { severity: 'error', kind: 'incompatible_type', ...base, message: `${where}: JSON path "${path}" needs a json or jsonb column (used by ${ref.usedBy})` };
  }
  const mismatch = findTransformMismatch(kind, ref.transforms);
  if (!mismatch) return undefined;
  const after = mismatch.index === 0 ? '' : ` after ${ref.transforms.slice(0, mismatch.index).join(', ')}`;
  return {
    severity: 'error', kind: 'incompatible_type', ...base,
    message: `${where}: transform "${mismatch.transform}" does not accept ${mismatch.got} values${after} (it accepts ${mismatch.accepts.join(', ')}) (used by ${ref.usedBy})`,
  };
}
