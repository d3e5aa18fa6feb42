import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { connectSource, type SourceDb } from '../../src/extract/connect-source.js';
import type { SourceSpec } from '../../src/mapping/source-spec.js';
import type { ChunkJob } from '../../src/scale/chunk-queue.js';
import { planChunks } from '../../src/scale/plan-chunks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

let database: TestDatabase;
let source: SourceDb;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.admin;
  await sql`create table gapped (id int primary key, deleted_at timestamptz)`.execute(db);
  // Two runs of keys far apart: equal-width ranges would put 11 rows in one chunk and none in 98 others.
  await sql`insert into gapped (id) select generate_series(1, 10) union all select generate_series(1000, 1010)`.execute(db);
  await sql`create table coded (code text primary key)`.execute(db);
  await sql`insert into coded values ('a'), ('ab'), ('b'), ('B'), ('c10'), ('c2'), ('z'), ('zz'), ('ä'), ('0'), ('9')`.execute(db);
  await sql`create table even (id bigint primary key)`.execute(db);
  await sql`insert into even select generate_series(1, 20)`.execute(db);
  await sql`create table nothing (id int primary key)`.execute(db);
  source = connectSource(database.url);
});

afterAll(async () => {
  await source?.destroy();
  await database?.drop();
});

/** Rows of `table` inside a chunk, counted by PostgreSQL with the same comparisons a worker uses. */
async function rowsIn(table: string, key: string, chunk: ChunkJob, where = 'true'): Promise<number> {
  const bounds = [where, chunk.after === null ? 'true' : `${key} > '${chunk.after}'`, chunk.last === null ? 'true' : `${key} <= '${chunk.last}'`];
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.table(table)} where ${sql.raw(bounds.join(' and '))}`.execute(database.admin);
  return rows[0]!.count;
}

function expectContiguous(chunks: ChunkJob[], job: string) {
  expect(chunks.map((chunk) => chunk.chunk)).toEqual(chunks.map((_, index) => index + 1));
  expect(chunks.every((chunk) => chunk.job === job)).toBe(true);
  expect(chunks[0]!.after).toBeNull();
  expect(chunks.at(-1)!.last).toBeNull();
  for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.after).toBe(chunks[i - 1]!.last);
}

describe('planChunks', () => {
  const gapped: SourceSpec = { table: 'gapped', primaryKey: 'id' };

  it('steps through gapped integer keys by row count, never by key width, the last chunk open', async () => {
    const chunks = await planChunks(source, gapped, { job: 'g', rowsPerChunk: 5 });
    expectContiguous(chunks, 'g');
    expect(chunks).toEqual([
      { job: 'g', chunk: 1, after: null, last: '5' },
      { job: 'g', chunk: 2, after: '5', last: '10' },
      { job: 'g', chunk: 3, after: '10', last: '1004' },
      { job: 'g', chunk: 4, after: '1004', last: '1009' },
      { job: 'g', chunk: 5, after: '1009', last: null },
    ]);
    const sizes = await Promise.all(chunks.map((chunk) => rowsIn('gapped', 'id', chunk)));
    expect(sizes).toEqual([5, 5, 5, 5, 1]);
  });

  it('covers a row inserted above the highest key after planning, in the last chunk', async () => {
    const chunks = await planChunks(source, gapped, { job: 'g', rowsPerChunk: 5 });
    await sql`insert into gapped (id) values (5000)`.execute(database.admin);
    try {
      const sizes = await Promise.all(chunks.map((chunk) => rowsIn('gapped', 'id', chunk)));
      expect(sizes).toEqual([5, 5, 5, 5, 2]);
    } finally {
      await sql`delete from gapped where id = 5000`.execute(database.admin);
    }
  });

  it('steps through text keys in the database order, every row in exactly one chunk', async () => {
    const spec: SourceSpec = { table: 'coded', primaryKey: 'code' };
    const chunks = await planChunks(source, spec, { job: 't', rowsPerChunk: 3 });
    expectContiguous(chunks, 't');
    expect(chunks).toHaveLength(4);
    const sizes = await Promise.all(chunks.map((chunk) => rowsIn('coded', 'code', chunk)));
    expect(sizes).toEqual([3, 3, 3, 2]);
  });

  it('counts only rows the source filter lets through, and still leaves no key between chunks', async () => {
    await sql`update gapped set deleted_at = now() where id in (2, 3, 4, 1001)`.execute(database.admin);
    try {
      const spec: SourceSpec = { table: 'gapped', primaryKey: 'id', filter: { isNull: 'deleted_at' } };
      const chunks = await planChunks(source, spec, { job: 'f', rowsPerChunk: 5 });
      expectContiguous(chunks, 'f');
      const live = await Promise.all(chunks.map((chunk) => rowsIn('gapped', 'id', chunk, 'deleted_at is null')));
      expect(live).toEqual([5, 5, 5, 2]);
      const all = await Promise.all(chunks.map((chunk) => rowsIn('gapped', 'id', chunk)));
      expect(all.reduce((a, b) => a + b, 0)).toBe(21); // the filtered rows fall inside chunks too
    } finally {
      await sql`update gapped set deleted_at = null`.execute(database.admin);
    }
  });

  it('opens the last chunk also when the row count is a multiple of the chunk size', async () => {
    const chunks = await planChunks(source, { table: 'even', primaryKey: 'id' }, { job: 'e', rowsPerChunk: 5 });
    expectContiguous(chunks, 'e');
    expect(chunks.map((chunk) => [chunk.after, chunk.last])).toEqual([
      [null, '5'],
      ['5', '10'],
      ['10', '15'],
      ['15', null],
    ]);
  });

  it('plans one open chunk for an empty source, so rows inserted during the run are still covered', async () => {
    expect(await planChunks(source, { table: 'nothing', primaryKey: 'id' }, { job: 'n', rowsPerChunk: 5 })).toEqual([{ job: 'n', chunk: 1, after: null, last: null }]);
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    await expect(planChunks(source, gapped, { job: 'g', rowsPerChunk: 0 })).rejects.toThrow(ConfigError);
    await expect(planChunks(source, gapped, { job: 'g', rowsPerChunk: 2.5 })).rejects.toThrow(ConfigError);
  });
});
