import { splitColumnPath } from './column-path.js';
import type { Condition } from './condition.js';
import type { MappingSpec, RuleFrom } from './mapping-spec.js';
import { userKeyOf } from './source-spec.js';
import type { SourceFilter } from './source-filter.js';
import { transformNameOf } from './transform-spec.js';
import type { TransformName } from './transform-spec.js';
import { parseTemplate } from './template.js';
import type { ValueSource } from './value-source.js';

/** One use of a column by a mapping: what `dynamic-migrate check` compares with the database. */
export interface ColumnRef {
  /** The table as written in the mapping (maybe schema-qualified). */
  table: string;
  /** `'source'` for the user row (and JSON arrays in it), else the child's or the lookup's name (a pick's refs are its child's). */
  record: string;
  /** `''` for a whole lookup or pick record (`metadata: { profile: 'profile' }`). */
  column: string;
  /** Keys or indexes inside the column's JSON; `[]` when none. `'*'` stands for "each element" of a `from: { json }` array. */
  jsonPath: string[];
  /** Names of the transforms the column's value flows through, innermost first (`{ truncate: 20 }` → `truncate`). */
  transforms: TransformName[];
  /** Where in the mapping: `fields.email`, `fields.name.firstOf[1]`, `wallets[0].chain`, `source.filter`, `children.wallets.foreignKey`. */
  usedBy: string;
}

/** Where the refs of one value source point: the record's table, and a JSON prefix for `from: { json }` elements. */
interface Scope {
  table: string;
  record: string;
  /** Set inside a `from: { json }` rule: the array's column and the path to "each element". */
  json?: { column: string; prefix: string[] };
}

/**
 * Every column a mapping reads, in document order: the primary key, foreign keys, child order
 * columns, declarative filters (a raw `{ sql }` filter cannot be looked into), and each column
 * reference of every value source, condition and template placeholder. Pure.
 */
export function collectColumnRefs(spec: MappingSpec): ColumnRef[] {
  const refs: ColumnRef[] = [];
  const sourceScope: Scope = { table: spec.source.table, record: 'source' };
  const plain = (scope: Scope, column: string, usedBy: string) => refs.push({ table: scope.table, record: scope.record, column, jsonPath: [], transforms: [], usedBy });

  plain(sourceScope, spec.source.primaryKey, 'source.primaryKey');
  // Change columns are compared as timestamps; listing them as read through isoTimestamp lets
  // `check` flag one of another type before an incremental run trips on it.
  const changeColumn = (scope: Scope, column: string, usedBy: string) =>
    refs.push({ table: scope.table, record: scope.record, column, jsonPath: [], transforms: ['isoTimestamp'], usedBy });
  if (spec.source.changeCursor) changeColumn(sourceScope, spec.source.changeCursor.column, 'source.changeCursor');
  if (spec.source.filter) filterColumns(spec.source.filter).forEach((column) => plain(sourceScope, column, 'source.filter'));
  for (const [name, child] of Object.entries(spec.source.children ?? {})) {
    const scope: Scope = { table: child.table, record: name };
    plain(scope, child.foreignKey, `children.${name}.foreignKey`);
    if (child.changeColumn) changeColumn(scope, child.changeColumn, `children.${name}.changeColumn`);
    for (const term of child.orderBy?.split(',') ?? []) plain(scope, term.trim().split(/\s+/)[0] ?? '', `children.${name}.orderBy`);
    if (child.filter) filterColumns(child.filter).forEach((column) => plain(scope, column, `children.${name}.filter`));
  }
  // A lookup or pick reads like a column of the user row: `profile.bio` is column bio of its record.
  const related = new Map<string, Scope>();
  for (const [name, lookup] of Object.entries(spec.source.lookups ?? {})) {
    const scope: Scope = { table: lookup.table, record: name };
    related.set(name, scope);
    plain(scope, lookup.key, `lookups.${name}.key`);
    plain(sourceScope, userKeyOf(spec.source, lookup), `lookups.${name}.userKey`);
    if (lookup.changeColumn) changeColumn(scope, lookup.changeColumn, `lookups.${name}.changeColumn`);
    if (lookup.filter) filterColumns(lookup.filter).forEach((column) => plain(scope, column, `lookups.${name}.filter`));
  }
  for (const [name, pick] of Object.entries(spec.source.picks ?? {})) {
    const scope: Scope = { table: spec.source.children?.[pick.from]?.table ?? pick.from, record: pick.from };
    related.set(name, scope);
    if (pick.where) conditionColumns(pick.where).forEach((ref) => add(scope, ref, [], `picks.${name}.where`));
  }

  function add(scope: Scope, ref: string, transforms: TransformName[], usedBy: string): void {
    const { column, jsonPath } = splitColumnPath(ref);
    const json = scope.json;
    const relatedScope = scope === sourceScope ? related.get(column) : undefined;
    if (relatedScope) {
      // `profile` alone is the whole record: column '' (every column of its table is read).
      const [relatedColumn = '', ...rest] = jsonPath;
      refs.push({ table: relatedScope.table, record: relatedScope.record, column: relatedColumn, jsonPath: rest, transforms, usedBy });
      return;
    }
    if (json) refs.push({ table: scope.table, record: scope.record, column: json.column, jsonPath: [...json.prefix, column, ...jsonPath], transforms, usedBy });
    else refs.push({ table: scope.table, record: scope.record, column, jsonPath, transforms, usedBy });
  }
  const walk = (scope: Scope, source: ValueSource, usedBy: string, outer: TransformName[]) => {
    const transforms = [...(source.transforms ?? []).map(transformNameOf), ...outer];
    // e164's regionFrom reads the country column of the same record.
    for (const transform of source.transforms ?? []) {
      if (typeof transform === 'object' && 'e164' in transform && transform.e164.regionFrom !== undefined) add(scope, transform.e164.regionFrom, ['countryCode'], `${usedBy}.e164.regionFrom`);
    }
    if ('column' in source) add(scope, source.column, transforms, usedBy);
    else if ('template' in source) templateRefs(source.template).forEach((ref) => add(scope, ref, [], `${usedBy}.template`));
    else if ('firstOf' in source) source.firstOf.forEach((inner, index) => walk(scope, inner, `${usedBy}.firstOf[${index}]`, transforms));
    else if ('when' in source) {
      conditionColumns(source.when).forEach((ref) => add(scope, ref, [], `${usedBy}.when`));
      walk(scope, source.then, `${usedBy}.then`, transforms);
      if (source.else) walk(scope, source.else, `${usedBy}.else`, transforms);
    }
  };

  for (const [field, source] of Object.entries(spec.fields ?? {})) if (source) walk(sourceScope, source, `fields.${field}`, []);
  for (const [key, source] of Object.entries(spec.metadata ?? {})) walk(sourceScope, source, `metadata.${key}`, []);
  const rules = [
    ...(spec.wallets ?? []).map((rule, index) => [`wallets[${index}]`, rule] as const),
    ...(spec.oauthAccounts ?? []).map((rule, index) => [`oauthAccounts[${index}]`, rule] as const),
  ];
  for (const [at, rule] of rules) {
    const scope = ruleScope(spec, rule.from, related);
    if (typeof rule.from === 'object') add(sourceScope, rule.from.json, [], `${at}.from`);
    for (const [part, source] of Object.entries(rule)) {
      if (part !== 'from' && part !== 'onInvalid' && part !== 'additionalAddresses' && source !== undefined) walk(scope, source as ValueSource, `${at}.${part}`, []);
    }
    const extras = 'additionalAddresses' in rule ? (rule.additionalAddresses ?? []) : [];
    extras.forEach((extra, index) => {
      const where = `${at}.additionalAddresses[${index}]`;
      const extraScope = extra.from === 'wallet' ? scope : typeof extra.from === 'object' ? jsonScope(scope, extra.from.json) : ruleScope(spec, extra.from, related);
      if (typeof extra.from === 'object') add(scope, extra.from.json, [], `${where}.from`);
      for (const [part, source] of Object.entries(extra)) {
        if (part !== 'from' && source !== undefined) walk(extraScope, source as ValueSource, `${where}.${part}`, []);
      }
    });
  }
  return refs;
}

function ruleScope(spec: MappingSpec, from: RuleFrom, related: ReadonlyMap<string, Scope>): Scope {
  if (typeof from === 'object') {
    // `{ json: 'profile.links' }`: an array in a column of a lookup or pick.
    const [first = '', ...rest] = from.json.split('.');
    const relatedScope = related.get(first);
    if (relatedScope && rest.length > 0) return jsonScope(relatedScope, rest.join('.'));
    return jsonScope({ table: spec.source.table, record: 'source' }, from.json);
  }
  if (from === 'row') return { table: spec.source.table, record: 'source' };
  return { table: spec.source.children?.[from]?.table ?? from, record: from };
}

/** Each element of the JSON array at `ref` of a record of `scope`. */
function jsonScope(scope: Scope, ref: string): Scope {
  const { column, jsonPath } = splitColumnPath(ref);
  if (scope.json) return { ...scope, json: { column: scope.json.column, prefix: [...scope.json.prefix, column, ...jsonPath, '*'] } };
  return { table: scope.table, record: scope.record, json: { column, prefix: [...jsonPath, '*'] } };
}

function filterColumns(filter: SourceFilter): string[] {
  if ('sql' in filter) return [];
  if ('isNull' in filter) return [filter.isNull];
  if ('notNull' in filter) return [filter.notNull];
  if ('equals' in filter) return [filter.equals.column];
  if ('in' in filter) return [filter.in.column];
  return filter.all.flatMap(filterColumns);
}

function conditionColumns(condition: Condition): string[] {
  if ('notNull' in condition) return [condition.notNull];
  if ('isNull' in condition) return [condition.isNull];
  if ('equals' in condition) return [condition.equals.column];
  if ('in' in condition) return [condition.in.column];
  return ('all' in condition ? condition.all : condition.any).flatMap(conditionColumns);
}

function templateRefs(template: string): string[] {
  return parseTemplate(template).flatMap((part) => ('ref' in part ? [part.ref] : []));
}
