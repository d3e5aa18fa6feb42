import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSource, readSourcePages } from '../../src/extract/index.js';
import type { SourceDb, SourceSpec } from '../../src/extract/index.js';
import { selectRows } from '../../src/extract/select-rows.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

// Source rows are read with COPY on pg connections (copy-reader.ts). These tables hold the values
// COPY's text format escapes or types pg parses, and every row must come out exactly as pg's own
// query protocol gives it (kysely on the admin connection, which never reads with COPY).
describe('reading source rows with COPY', () => {
  let database: TestDatabase;
  let source: SourceDb;
  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`create table odd_values (
      id int primary key, t text, n numeric, f float8, b bool, big int8, small int2, ts timestamptz, plain timestamp,
      d date, j json, jb jsonb, arr text[], nums int[], raw bytea, u uuid, span interval)`.execute(database.admin);
    await sql`insert into odd_values values
      (1, E'tab\\there\\nnew line\\r\\\\back slash', 1.50, 'NaN', true, 9223372036854775807, -32768, '2024-02-29 23:59:59.999999+00', '2024-01-01 10:00',
        '2024-03-01', '{"a": [1, "x\\ty"]}', '{"b": null}', array['a,b', 'c"d', E'e\\\\f', null, ''], array[1, null, 3], '\\x00ff0a09', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:03:04'),
      (2, '\\N', -0.000001, '-Infinity', false, -1, 0, 'infinity', '-infinity', '4713-01-01 BC', 'null', '[]', '{}', '{}', '', null, '-3 months'),
      (3, '', null, null, null, null, null, '0099-06-01 12:00+02', null, null, null, null, null, null, null, null, null),
      (4, 'ünïcode 🦊 ''quoted'' "double"', 1e20, 1.5e-300, true, 42, 7, '1883-11-18 12:00:00-04:56:02', '2038-01-19 03:14:07.5', '2000-02-29', '"s"', '{"k": "v\\\\w"}', array['{}'], array[-1], '\\x5c', null, '00:00:00.000001')`.execute(database.admin);
    source = connectSource(database.url);
  });
  afterAll(async () => {
    await source?.destroy();
    await database?.drop();
  });

  it('gives the same row objects as pg for every type and escaped character', async () => {
    const query = sql`select * from odd_values order by id`;
    const expected = (await query.execute(database.admin)).rows;
    expect(expected).toHaveLength(4);
    expect(await selectRows(source, query)).toEqual(expected);
  });

  it('reads each type as the pipeline expects it: timestamptz as Dates, int8 as exact strings, json parsed, NULL as null, escaped text whole', async () => {
    const [first, second, third, fourth] = await selectRows(source, sql`select id, t, big, ts, plain, jb, j, arr, nums from odd_values order by id`);
    expect(first).toEqual({
      id: 1, t: 'tab\there\nnew line\r\\back slash', big: '9223372036854775807', ts: new Date('2024-02-29T23:59:59.999Z'),
      plain: new Date(2024, 0, 1, 10), jb: { b: null }, j: { a: [1, 'x\ty'] }, arr: ['a,b', 'c"d', 'e\\f', null, ''], nums: [1, null, 3],
    });
    expect(second).toMatchObject({ t: '\\N', big: '-1', ts: Number.POSITIVE_INFINITY, jb: [], j: null, arr: [], nums: [] });
    expect(third).toEqual({ id: 3, t: '', big: null, ts: new Date('0099-06-01T10:00:00.000Z'), plain: null, jb: null, j: null, arr: null, nums: null });
    // A zone offset with seconds (LMT), as PostgreSQL prints dates before time zones were standard.
    expect((fourth as { ts: Date }).ts.toISOString()).toBe('1883-11-18T16:56:02.000Z');
  });

  it('reads values larger than a network chunk whole, multi-byte characters split between chunks included', async () => {
    await sql`create table big_values (id int primary key, body text, doc jsonb)`.execute(database.admin);
    await sql`insert into big_values values (1, repeat('é€🦊', 200000), jsonb_build_object('k', repeat('ü', 100000))), (2, 'small', null), (3, repeat(E'\\t', 50000), '[]')`.execute(database.admin);
    const query = sql`select * from big_values order by id`;
    const expected = (await query.execute(database.admin)).rows;
    expect((expected[0] as { body: string }).body.length).toBe(800_000);
    expect(await selectRows(source, query)).toEqual(expected);
  });

  it('reads many rows to a network chunk, and lines cut between chunks, row for row as pg', async () => {
    // ~120 bytes a row: a 64 KiB read holds hundreds, and rows end at every point of a chunk.
    await sql`create table many_rows (id int primary key, name text, note text)`.execute(database.admin);
    await sql`insert into many_rows select i, 'Zoë ' || repeat('é', i % 7) || ' 🦊' || i, case when i % 5 = 0 then E'a\tb\nc' when i % 11 = 0 then '' end || repeat('x', i % 97) from generate_series(1, 20000) as i`.execute(database.admin);
    const query = sql`select * from many_rows order by id`;
    const expected = (await query.execute(database.admin)).rows;
    expect(expected).toHaveLength(20_000);
    expect(await selectRows(source, query)).toEqual(expected);
  });

  it('writes bound values into the query as the parameters they were (quotes, backslashes, braces in keys)', async () => {
    await sql`create table text_keys (k text primary key, v int)`.execute(database.admin);
    await sql`create table text_key_children (id serial primary key, k text, note text)`.execute(database.admin);
    const keys = ["o'brien", 'back\\slash', 'brace{}', 'comma,key', 'quote"key', 'plain', 'sp ace', 'NULL'];
    for (const [index, key] of keys.entries()) {
      await sql`insert into text_keys values (${key}, ${index})`.execute(database.admin);
      await sql`insert into text_key_children (k, note) values (${key}, ${`child of ${key}`})`.execute(database.admin);
    }
    const spec: SourceSpec = { table: 'text_keys', primaryKey: 'k', children: { notes: { table: 'text_key_children', foreignKey: 'k', orderBy: 'id' } }, filter: { in: { column: 'v', values: [0, 1, 2, 3, 4, 5, 6, 7] } } };
    const read = [];
    for await (const page of readSourcePages(source, spec, { after: "o'brien", pageSize: 3 })) read.push(...page);
    const expected = [...keys].sort().filter((key) => key > "o'brien");
    expect(read.map((user) => user.key)).toEqual(expected);
    for (const user of read) expect(user.children.notes?.map((child) => child.note)).toEqual([`child of ${user.key}`]);
  });

  it('reads on read-only connections', async () => {
    expect(await selectRows(source, sql`select current_setting('transaction_read_only') as ro`)).toEqual([{ ro: 'on' }]);
  });

  it('stops a COPY in flight when the signal aborts, and the next read still works', async () => {
    const controller = new AbortController();
    const slow = selectRows(source, sql`select g, pg_sleep(0.002) from generate_series(1, 2000) as g`, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
    expect(await selectRows(source, sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });
});
