import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtractError } from '../../src/errors.js';
import { connectSource, readSourcePages, withReadColumns } from '../../src/extract/index.js';
import type { SourceDb, SourceSpec } from '../../src/extract/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

// A wide legacy table: the run selects only what the mapping uses, and a column the mapping names
// but the table lacks still reads as missing, as it did under `select *`.
const spec: SourceSpec = {
  table: 'legacy.Members',
  primaryKey: 'id',
  children: { keys: { table: 'legacy.member_keys', foreignKey: 'member_id', orderBy: 'id' } },
};

describe('withReadColumns', () => {
  let database: TestDatabase;
  let source: SourceDb;
  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`create schema legacy`.execute(database.admin);
    await sql`create table legacy."Members" (id int primary key, "Email" text, password_hash text, blob bytea, dropped text)`.execute(database.admin);
    await sql`alter table legacy."Members" drop column dropped`.execute(database.admin);
    await sql`create table legacy.member_keys (id int primary key, member_id int, address text, secret text)`.execute(database.admin);
    await sql`insert into legacy."Members" values (1, 'a@example.com', 'x', '\\x00'), (2, 'b@example.com', 'y', null)`.execute(database.admin);
    await sql`insert into legacy.member_keys values (10, 1, '0xa', 's1'), (11, 2, '0xb', 's2'), (12, 1, '0xc', 's3')`.execute(database.admin);
    source = connectSource(database.url);
  });
  afterAll(async () => {
    await source?.destroy();
    await database?.drop();
  });

  const readAll = async (readSpec: SourceSpec) => {
    const rows = [];
    for await (const page of readSourcePages(source, readSpec, { after: null, pageSize: 1 })) rows.push(...page);
    return rows;
  };

  it('reads only the wanted columns the tables have, in quoted, schema-qualified, mixed-case tables', async () => {
    const readSpec = await withReadColumns(source, spec, { source: ['id', 'Email', 'no_such_column', 'dropped'], children: { keys: ['member_id', 'address'] } });
    expect(readSpec.readColumns).toEqual(['id', 'Email']);
    expect(readSpec.children?.keys?.readColumns).toEqual(['member_id', 'address']);
    const rows = await readAll(readSpec);
    expect(rows.map((row) => row.row)).toEqual([{ id: 1, Email: 'a@example.com' }, { id: 2, Email: 'b@example.com' }]);
    expect(rows.map((row) => row.children.keys)).toEqual([[{ member_id: 1, address: '0xa' }, { member_id: 1, address: '0xc' }], [{ member_id: 2, address: '0xb' }]]);
  });

  it('reads every column where it was not told which', async () => {
    const rows = await readAll(spec);
    expect(Object.keys(rows[0]?.row ?? {})).toEqual(['id', 'Email', 'password_hash', 'blob']);
  });

  it('keeps `*` for a table it cannot find, so the read fails with the usual error naming it', async () => {
    const missing: SourceSpec = { ...spec, table: 'legacy.nobody' };
    const readSpec = await withReadColumns(source, missing, { source: ['id'], children: {} });
    expect(readSpec.readColumns).toBeUndefined();
    await expect(readAll(readSpec)).rejects.toThrow(ExtractError);
    await expect(readAll(readSpec)).rejects.toThrow(/legacy\.nobody/);
  });
});
