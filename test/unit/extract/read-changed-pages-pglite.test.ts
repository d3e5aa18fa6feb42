import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/demo/embedded-database.js';
import { databaseNow } from '../../../src/extract/database-clock.js';
import { readChangedChildParents } from '../../../src/extract/read-changed-child-parents.js';
import { countChangedRows, readChangedPages } from '../../../src/extract/read-changed-pages.js';
import type { SourceRow } from '../../../src/mapping/source-row.js';
import type { SourceSpec } from '../../../src/mapping/source-spec.js';

// The incremental readers on PGlite (a real PostgreSQL engine in-process): tuple keyset order,
// exact microsecond cursors, the frozen upper bound, and parents of changed child rows.

const spec: SourceSpec = {
  table: 'people',
  primaryKey: 'id',
  filter: { sql: 'deleted_at is null' },
  changeCursor: { column: 'updated_at' },
  children: { pets: { table: 'pets', foreignKey: 'person_id', orderBy: 'id', changeColumn: 'created_at' } },
};

let embedded: EmbeddedDatabase;

beforeAll(async () => {
  embedded = await openEmbeddedDatabase();
  const db = embedded.db;
  await sql`create table people (id bigint primary key, name text, updated_at timestamptz, deleted_at timestamptz)`.execute(db);
  await sql`create table pets (id bigserial primary key, person_id bigint not null, created_at timestamptz not null)`.execute(db);
  // 30 people over three timestamps a microsecond apart, ids shuffled against time; one soft-deleted, one never stamped.
  await sql`insert into people (id, name, updated_at)
    select g, 'p' || g, timestamptz '2026-01-01 00:00:00.000001+00' + ((g * 7) % 3) * interval '1 microsecond' from generate_series(1, 30) g`.execute(db);
  await sql`update people set deleted_at = now() where id = 5`.execute(db);
  await sql`insert into people (id, name, updated_at) values (31, 'unstamped', null)`.execute(db);
  await sql`insert into pets (person_id, created_at) values (3, '2026-02-01 00:00:00+00'), (3, '2026-02-02 00:00:00+00'), (8, '2026-02-03 00:00:00+00'), (5, '2026-02-03 00:00:00+00'), (9, '2025-01-01 00:00:00+00')`.execute(db);
}, 120_000);

afterAll(async () => {
  await embedded?.close();
});

async function readAll(after: { at: string; key: string }, upper: string, pageSize: number): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const page of readChangedPages(embedded.db, spec, { after, upper, pageSize })) rows.push(...page);
  return rows;
}

describe('readChangedPages', () => {
  it('reads every stamped, unfiltered row once, in (updated_at, id) order, across page boundaries inside one timestamp', async () => {
    const rows = await readAll({ at: '2026-01-01 00:00:00+00', key: '' }, '2026-01-02 00:00:00+00', 4);
    const expected = await sql<{ id: string }>`select id::text as id from people where deleted_at is null and updated_at is not null order by updated_at, people.id`.execute(embedded.db);
    expect(rows.map((row) => row.key)).toEqual(expected.rows.map((row) => row.id));
    expect(rows).toHaveLength(29);
    expect(rows[0]?.cursor).toBe('2026-01-01 00:00:00.000001+00');
    expect(rows.at(-1)?.cursor).toBe('2026-01-01 00:00:00.000003+00');
    expect(rows[0]?.row).not.toHaveProperty('__dynamic_migrate_cursor');
    expect(await countChangedRows(embedded.db, spec, { at: '2026-01-01 00:00:00+00', key: '' }, '2026-01-02 00:00:00+00')).toBe(29);
  });

  it('resumes strictly after a tuple, exact to the microsecond, and stops at the upper bound', async () => {
    const all = await readAll({ at: '2026-01-01 00:00:00+00', key: '' }, '2026-01-02 00:00:00+00', 100);
    const middle = all[12] as SourceRow;
    const rest = await readAll({ at: middle.cursor as string, key: middle.key }, '2026-01-02 00:00:00+00', 5);
    expect(rest.map((row) => row.key)).toEqual(all.slice(13).map((row) => row.key));
    // An upper bound one microsecond below the last stamp leaves those rows for the next run.
    const bounded = await readAll({ at: '2026-01-01 00:00:00+00', key: '' }, '2026-01-01 00:00:00.000002+00', 7);
    expect(bounded.every((row) => row.cursor !== '2026-01-01 00:00:00.000003+00')).toBe(true);
    expect(bounded.length).toBeGreaterThan(0);
    // (T, '') includes rows stamped exactly T.
    const fromFirst = await readAll({ at: '2026-01-01 00:00:00.000001+00', key: '' }, '2026-01-02 00:00:00+00', 50);
    expect(fromFirst).toHaveLength(29);
  });
});

describe('readChangedChildParents', () => {
  it('re-reads, with their children, the users whose child rows changed in (since, upper], through the source filter', async () => {
    const pages: SourceRow[][] = [];
    for await (const page of readChangedChildParents(embedded.db, spec, { child: 'pets', since: '2026-01-15 00:00:00+00', upper: '2026-02-02 12:00:00+00', pageSize: 1 })) pages.push(page);
    expect(pages.flat().map((row) => row.key)).toEqual(['3']);
    expect(pages.flat()[0]?.children.pets).toHaveLength(2);
    const wider: string[] = [];
    for await (const page of readChangedChildParents(embedded.db, spec, { child: 'pets', since: '2026-01-15 00:00:00+00', upper: '2026-03-01 00:00:00+00', pageSize: 1 })) wider.push(...page.map((row) => row.key));
    expect(wider).toEqual(['3', '8']); // 5 is soft-deleted, 9's pet is older than the watermark
  });
});

describe('databaseNow', () => {
  it('reads now() - lag from the database as exact text', async () => {
    const earlier = await databaseNow(embedded.db, 3600);
    const now = await databaseNow(embedded.db, 0);
    const check = await sql<{ gap: string }>`select extract(epoch from (${now}::timestamptz - ${earlier}::timestamptz))::text as gap`.execute(embedded.db);
    expect(Number(check.rows[0]?.gap)).toBeGreaterThanOrEqual(3600);
    expect(Number(check.rows[0]?.gap)).toBeLessThan(3660);
    await expect(databaseNow(embedded.db, -1)).rejects.toThrow(/lag/);
  });
});
