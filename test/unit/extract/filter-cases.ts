import { sql } from 'kysely';
import type { SourceDb } from '../../../src/extract/connect-source.js';
import type { SourceFilter } from '../../../src/mapping/source-filter.js';
import type { SourceSpec } from '../../../src/mapping/source-spec.js';

/**
 * A small table and the declarative filters run against it, shared by the PGlite unit test and
 * the PostgreSQL integration test so both engines are held to the same answers.
 */
export async function createFilterTables(db: SourceDb): Promise<void> {
  await sql`create table filter_users (id bigint primary key, plan text, age int, active boolean, deleted_at timestamptz, note text)`.execute(db);
  await sql`insert into filter_users values
    (1, 'free', 30, true,  null, null),
    (2, 'pro',  41, true,  null, 'x'' or ''1''=''1'),
    (3, 'pro',  17, false, now(), 'n'),
    (4, 'team', 41, false, null, null),
    (5, null,   null, null, null, 'n')`.execute(db);
  await sql`create table filter_items (id bigint primary key, user_id bigint not null, kind text, hidden boolean not null default false)`.execute(db);
  await sql`insert into filter_items values (10, 1, 'a', false), (11, 1, 'b', true), (12, 2, 'a', false), (13, 4, null, false)`.execute(db);
}

/** Each filter on `filter_users` and the ids it must keep. */
export const FILTER_CASES: [string, SourceFilter, string[]][] = [
  ['isNull', { isNull: 'deleted_at' }, ['1', '2', '4', '5']],
  ['notNull', { notNull: 'plan' }, ['1', '2', '3', '4']],
  ['equals text', { equals: { column: 'plan', value: 'pro' } }, ['2', '3']],
  ['equals number on bigint', { equals: { column: 'id', value: 4 } }, ['4']],
  ['equals boolean', { equals: { column: 'active', value: false } }, ['3', '4']],
  ['equals a value that looks like SQL', { equals: { column: 'note', value: "x' or '1'='1" } }, ['2']],
  ['in numbers', { in: { column: 'age', values: [41, 17] } }, ['2', '3', '4']],
  ['in text', { in: { column: 'plan', values: ['team', 'free', "'); drop table filter_users; --"] } }, ['1', '4']],
  ['all', { all: [{ isNull: 'deleted_at' }, { equals: { column: 'active', value: true } }, { sql: 'age > 35' }] }, ['2']],
  ['nested all', { all: [{ notNull: 'plan' }, { all: [{ in: { column: 'age', values: [41] } }] }] }, ['2', '4']],
];

/** The source spec reading `filter_users` with a filter, and its items with a child filter. */
export function filterSpec(filter: SourceFilter, childFilter?: SourceFilter): SourceSpec {
  return {
    table: 'filter_users',
    primaryKey: 'id',
    filter,
    children: { items: { table: 'filter_items', foreignKey: 'user_id', orderBy: 'id', ...(childFilter ? { filter: childFilter } : {}) } },
  };
}
