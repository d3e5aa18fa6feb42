import { sql, type RawBuilder } from 'kysely';
import type { SourceDb } from '../extract/index.js';
import { columnRef, filterSql, tableRef } from '../extract/source-sql.js';
import { toExtractError } from '../extract/to-extract-error.js';
import { executeRaw } from '../extract/select-rows.js';
import { columnTypesOf } from '../extract/with-read-columns.js';
import type { MappingSpec, ValueSource } from '../mapping/index.js';
import type { DuplicateKind, IdentityKey } from './duplicate-keys.js';

// PostgreSQL narrows the pre-scan of a duplicates policy to the rows that may share an identity, so
// only those come back to Node, where the contract's normaliser computes the exact keys
// (`identityKeysOf`) and decides, as a scan of every row did. SQL never decides: a coarse key that
// is too loose only brings more rows back. What must hold is the other way round: two rows whose
// exact keys are equal must come back together. That is provable for an identity read from a plain
// column (no map, no default, no template) through `trim`, `lower`, `upper`, `string`,
// `nullIfEmpty` only, and kept as it is or case-folded by the normaliser (EVM addresses; EIP-55
// changes case only): for a value of ASCII characters, each of those steps is the ASCII operation,
// and "ASCII white space trimmed, ASCII lower case" (`coarseKey`; `lower(... collate "C")` folds
// A-Z only, whatever the database's locale) is the same before and after each of them. Non-ASCII values are where JavaScript and PostgreSQL part (`toLowerCase`
// maps the Kelvin sign to `k`, `trim` removes U+00A0; `lower()` follows the database's locale), so
// their rows always come back, and so do the ASCII rows whose coarse key equals the coarse key of
// one of their exact keys (`partnersOf`). Any other mapping of an identity is scanned row by row.

/** Where one identity of a kind is read: a column of the user row or of a child, through shaping SQL can follow. */
export interface PlainIdentitySource {
  kind: DuplicateKind;
  /** `'row'` or a child of `source.children`. */
  from: string;
  column: string;
}

const FOLLOWED = new Set(['trim', 'lower', 'upper', 'string', 'nullIfEmpty']);
/** Types whose text in SQL (`::text`) is what the mapper reads as text, or the number it reads as a number (`string` makes it that text). */
const PLAIN_TYPES = new Set(['text', 'character varying', 'character', 'citext', 'name', 'uuid', 'smallint', 'integer', 'bigint']);
/** JavaScript's `trim` white space among ASCII: tab, line feed, vertical tab, form feed, carriage return, space. */
const ASCII_SPACE = '\t\n\u000b\f\r ';

/**
 * The coarse key of an ASCII value, as SQL computes it (`coarse`): ASCII white space trimmed, A-Z
 * in lower case. Equal exact keys of ASCII values give equal coarse keys.
 */
export function coarseKey(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && ASCII_SPACE.includes(value.charAt(start))) start++;
  while (end > start && ASCII_SPACE.includes(value.charAt(end - 1))) end--;
  return value.slice(start, end).replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * `coarseKey` in SQL. (`translate` deleting white space everywhere was as good a key, and four
 * times slower: it compares each character with every one of its 32.)
 */
const coarse = (v: RawBuilder<unknown>) => sql`lower(btrim(${v}, ${ASCII_SPACE}) collate "C")`;

/** Whether every character is ASCII, as `ASCII_ONLY` tells in SQL (text in PostgreSQL has no NUL). */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The identity sources of a mapping when SQL can narrow every one of them (see the module
 * comment); undefined when one cannot, and the pre-scan reads every row.
 */
export function plainIdentitySources(spec: MappingSpec): PlainIdentitySource[] | undefined {
  const sources: PlainIdentitySource[] = [];
  const add = (kind: DuplicateKind, from: unknown, value: ValueSource | undefined): boolean => {
    if (value === undefined) return true;
    const column = plainColumn(value);
    if (column === undefined || typeof from !== 'string') return false;
    sources.push({ kind, from, column });
    return true;
  };
  const ok = add('email', 'row', spec.fields?.email)
    && add('username', 'row', spec.fields?.username)
    && (spec.wallets ?? []).every((rule) => add('wallet', rule.from, rule.address))
    && (spec.oauthAccounts ?? []).every((rule) => add('oauth', rule.from, rule.accountId));
  return ok ? sources : undefined;
}

function plainColumn(value: ValueSource): string | undefined {
  if (!('column' in value) || value.column.includes('.')) return undefined;
  if (value.map !== undefined || value.default !== undefined) return undefined;
  if (!(value.transforms ?? []).every((transform) => typeof transform === 'string' && FOLLOWED.has(transform))) return undefined;
  return value.column;
}

/** The exact keys' values as the coarse key reads them: an address or account id without its `chain:` / `provider:`. */
export function keyValue(identity: IdentityKey): string {
  return identity.kind === 'wallet' || identity.kind === 'oauth' ? identity.normalised.slice(identity.normalised.indexOf(':') + 1) : identity.normalised;
}

/**
 * Reads, per identity source, whether its column has a type SQL reads as the mapper does; false
 * when one does not (or the table or column is missing: the row-by-row scan then fails or reads
 * nulls as the run does).
 */
export async function sourcesAreComparable(db: SourceDb, spec: MappingSpec, sources: readonly PlainIdentitySource[], signal?: AbortSignal): Promise<boolean> {
  for (const source of sources) {
    const table = tableOf(spec, source.from);
    if (table === undefined) return false;
    const type = (await columnTypesOf(db, table, signal)).get(source.column);
    if (type === undefined || !PLAIN_TYPES.has(type)) return false;
  }
  return true;
}

function tableOf(spec: MappingSpec, from: string): string | undefined {
  return from === 'row' ? spec.source.table : spec.source.children?.[from]?.table;
}

/** `(owner, value)` of every non-null value of the sources of one kind, over the users the source selects. */
function valuesOf(spec: MappingSpec, sources: readonly PlainIdentitySource[]): RawBuilder<unknown> {
  const { source } = spec;
  const pk = columnRef(source.primaryKey);
  const users = sql`select ${pk} from ${tableRef(source.table)}${where([], source.filter)}`;
  const selects = sources.map((identity) => {
    const column = columnRef(identity.column);
    // '' is no identity (no allowed transform makes it one): a `not null default ''` column must not make every user a candidate.
    const present = sql`${column}::text <> ''`;
    if (identity.from === 'row') return sql`select ${pk} as owner, ${column}::text as v from ${tableRef(source.table)}${where([present], source.filter)}`;
    const child = spec.source.children?.[identity.from];
    if (!child) throw new Error(`unknown child ${identity.from}`);
    const fk = columnRef(child.foreignKey);
    return sql`select ${fk} as owner, ${column}::text as v from ${tableRef(child.table)}${where([present, sql`${fk} in (${users})`], child.filter)}`;
  });
  return sql.join(selects, sql` union all `);
}

function where(conditions: RawBuilder<unknown>[], filter: Parameters<typeof filterSql>[0] | undefined): RawBuilder<unknown> {
  const predicate = filter && filterSql(filter);
  const all = predicate ? [...conditions, predicate] : conditions;
  return all.length === 0 ? sql`` : sql` where ${sql.join(all, sql` and `)}`;
}

const ASCII_ONLY = '^[\\x01-\\x7f]*$';

/**
 * The primary keys (as text, in no order) of the rows that may share an identity of `sources`'s
 * kind with another row: those whose ASCII value's coarse key another user has too, and those with
 * a value that is not ASCII (see the module comment). Only those rows come back.
 */
export async function collidingKeys(db: SourceDb, spec: MappingSpec, sources: readonly PlainIdentitySource[], limit: number, signal?: AbortSignal): Promise<{ colliding: string[]; nonAscii: string[] } | undefined> {
  const values = valuesOf(spec, sources);
  // One pass over the values (the ASCII test once per value); `count(*) > 1` rather than distinct
  // owners: a user holding one address twice comes back for nothing, which costs time only.
  const { rows } = await run(db, sql<{ owner: string; ascii: boolean }>`
    with coarse as (select owner, v ~ ${ASCII_ONLY} as ascii, ${coarse(sql`v`)} as k from (${values}) vals),
    shared as (select k from coarse where ascii group by k having count(*) > 1)
    select distinct owner::text as owner, ascii from coarse where not ascii or k in (select k from shared) limit ${limit + 1}`, `finding the rows of "${spec.source.table}" that may share a ${sources[0]?.kind ?? ''}`, signal);
  if (rows.length > limit) return undefined; // memory stays bounded: past the limit the caller scans every row
  return { colliding: rows.filter((row) => row.ascii).map((row) => row.owner), nonAscii: rows.filter((row) => !row.ascii).map((row) => row.owner) };
}

/** The primary keys (as text) of the rows with an ASCII value of `sources`'s kind whose coarse key is one of `keys`. */
export async function keysWithCoarse(db: SourceDb, spec: MappingSpec, sources: readonly PlainIdentitySource[], keys: readonly string[], signal?: AbortSignal): Promise<string[]> {
  if (keys.length === 0 || sources.length === 0) return [];
  const values = valuesOf(spec, sources);
  const { rows } = await run(db, sql<{ owner: string }>`
    with vals as (${values})
    select distinct owner::text as owner from vals
    where v ~ ${ASCII_ONLY} and ${coarse(sql`v`)} = any(${[...keys]}::text[])`, `finding the rows of "${spec.source.table}" that may share a ${sources[0]?.kind ?? ''}`, signal);
  return rows.map((row) => row.owner);
}

/** The keys in primary-key order, as text (`order by` the key's own type: 10 after 9). */
export async function inKeyOrder(db: SourceDb, spec: MappingSpec, keys: Iterable<string>, signal?: AbortSignal): Promise<string[]> {
  const list = [...keys];
  if (list.length === 0) return [];
  const pk = columnRef(spec.source.primaryKey);
  const { rows } = await run(db, sql<{ key: string }>`
    select ${pk}::text as key from ${tableRef(spec.source.table)} where ${pk} = any(${list}) order by ${pk}`, `ordering the rows of "${spec.source.table}" that may share an identity`, signal);
  return rows.map((row) => row.key);
}

async function run<T>(db: SourceDb, query: RawBuilder<T>, doing: string, signal: AbortSignal | undefined) {
  try {
    return await executeRaw(db, query, signal);
  } catch (error) {
    throw toExtractError(error, doing);
  }
}
