import type { SourceRow } from '../extract/index.js';
import { hiddenColumnNames, userKeyOf, type MappingSpec } from '../mapping/index.js';
import type { SchemaProblem } from './check-report.js';
import type { IntrospectedColumn, SchemaSnapshot } from './compare-refs.js';

/** Users named per broken promise: enough to look one up. */
const MAX_EXAMPLES = 3;

/**
 * What the sample shows of each lookup's promise: a user with several rows breaks every lookup's,
 * a user whose row others share breaks a one-to-one lookup's. One warning per lookup and way it is
 * broken, with example users; the run reports each affected field as `lookup_not_unique` or
 * `lookup_shared` by its `onInvalid`. Pure.
 */
export function lookupPromiseProblems(spec: MappingSpec, rows: readonly SourceRow[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const [name, lookup] of Object.entries(spec.source.lookups ?? {})) {
    const several: string[] = [];
    const shared: string[] = [];
    for (const row of rows) {
      const found = row.lookups?.[name];
      if (!found) continue;
      if (found.rows.length > 1) several.push(row.key);
      else if (found.sharedWith > 0) shared.push(row.key);
    }
    const base = { severity: 'warning' as const, kind: 'lookup_promise' as const, table: lookup.table, usedBy: [`source.lookups.${name}`] };
    const examples = (keys: string[]) => keys.slice(0, MAX_EXAMPLES).join(', ');
    const userKey = userKeyOf(spec.source, lookup);
    if (several.length > 0) {
      problems.push({ ...base, message: `lookup "${name}": ${several.length} sampled user(s) have several ${lookup.table} rows with ${lookup.key} equal to their ${userKey} (e.g. ${examples(several)}); a lookup promises one, so the fields it feeds are left out or rejected for them` });
    }
    if (shared.length > 0) {
      problems.push({ ...base, message: `lookup "${name}" is declared one-to-one, but ${shared.length} sampled user(s) share their ${lookup.table} row with another user (e.g. ${examples(shared)}); say relation: 'many-to-one' if users may share it` });
    }
  }
  return problems;
}

/** Families of key types that compare with each other as the lookup and child queries need. */
function keyFamily(column: IntrospectedColumn): string {
  if (['int2', 'int4', 'int8', 'numeric'].includes(column.udtName)) return 'number';
  if (['text', 'varchar', 'bpchar', 'char', 'name', 'citext'].includes(column.udtName)) return 'text';
  return column.udtName;
}

/**
 * Keys that join tables must be of one family: a lookup's `key` and the user's `userKey`, a
 * child's `foreignKey` and the primary key (`int4` against `int8` is fine, `integer` against
 * `text` or `uuid` is not: the queries would fail to cast). Also a lookup or pick named like a
 * column of the users table (that column could not be read), and, with a change cursor, a lookup
 * without a change column (its edits alone are not picked up). Pure.
 */
export function keyProblems(spec: MappingSpec, schema: SchemaSnapshot): SchemaProblem[] {
  const users = schema.tables.get(spec.source.table);
  if (!users) return [];
  const column = (table: string, name: string) => schema.tables.get(table)?.columns.find((candidate) => candidate.name === name);
  const pairs: Array<{ usedBy: string; table: string; key: string; userKey: string }> = [
    ...Object.entries(spec.source.children ?? {}).map(([name, child]) => ({ usedBy: `source.children.${name}.foreignKey`, table: child.table, key: child.foreignKey, userKey: spec.source.primaryKey })),
    ...Object.entries(spec.source.lookups ?? {}).map(([name, lookup]) => ({ usedBy: `source.lookups.${name}.key`, table: lookup.table, key: lookup.key, userKey: userKeyOf(spec.source, lookup) })),
  ];
  const problems: SchemaProblem[] = [];
  for (const pair of pairs) {
    const theirs = column(pair.table, pair.key);
    const ours = column(spec.source.table, pair.userKey);
    if (!theirs || !ours || keyFamily(theirs) === keyFamily(ours)) continue; // a missing column is reported as such
    problems.push({
      severity: 'error', kind: 'key_type_mismatch', table: pair.table, column: pair.key, usedBy: [pair.usedBy],
      message: `${pair.table}.${pair.key} (${theirs.udtName}) is matched with ${spec.source.table}.${pair.userKey} (${ours.udtName}): keys of different types do not match (used by ${pair.usedBy})`,
    });
  }
  for (const { section, name } of hiddenColumnNames(spec.source, (candidate) => users.columns.some((column) => column.name === candidate))) {
    const what = section === 'lookups' ? 'lookup' : 'pick';
    problems.push({
      severity: 'error', kind: 'lookup_shadows_column', table: spec.source.table, column: name, usedBy: [`source.${section}.${name}`],
      message: `${what} "${name}" has the name of a column of ${spec.source.table}, which it would hide: give the ${what} another name`,
    });
  }
  // Without a change column, a lookup row edited alone re-sends nobody in an incremental rerun.
  if (spec.source.changeCursor) {
    for (const [name, lookup] of Object.entries(spec.source.lookups ?? {})) {
      if (lookup.changeColumn) continue;
      problems.push({
        severity: 'warning', kind: 'lookup_untracked', table: lookup.table, usedBy: [`source.lookups.${name}`],
        message: `lookup "${name}" has no changeColumn: incremental reruns do not see its rows change unless the user row changes too`,
      });
    }
  }
  return problems;
}
