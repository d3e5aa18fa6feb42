import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../../src/demo/embedded-database.js';
import { countSourceRows } from '../../../src/extract/count-source-rows.js';
import { readSourcePages } from '../../../src/extract/read-source-pages.js';
import { filterSql } from '../../../src/extract/source-sql.js';
import type { SourceRow } from '../../../src/mapping/source-row.js';
import { FILTER_CASES, createFilterTables, filterSpec } from './filter-cases.js';

let embedded: EmbeddedDatabase;

beforeAll(async () => {
  embedded = await openEmbeddedDatabase();
  await createFilterTables(embedded.db);
}, 120_000);

afterAll(async () => {
  await embedded?.close();
});

async function readAll(spec: ReturnType<typeof filterSpec>): Promise<SourceRow[]> {
  const users: SourceRow[] = [];
  for await (const page of readSourcePages(embedded.db, spec, { after: null, pageSize: 2 })) users.push(...page);
  return users;
}

describe('declarative filters on PGlite', () => {
  it.each(FILTER_CASES)('%s keeps the right rows, and counts them alike', async (_name, filter, ids) => {
    const spec = filterSpec(filter);
    expect((await readAll(spec)).map((user) => user.key)).toEqual(ids);
    expect(await countSourceRows(embedded.db, spec, { after: null })).toBe(ids.length);
  });

  it('filters child rows', async () => {
    const users = await readAll(filterSpec({ isNull: 'deleted_at' }, { all: [{ equals: { column: 'hidden', value: false } }, { notNull: 'kind' }] }));
    expect(users.map((user) => [user.key, user.children.items?.map((item) => item.id)])).toEqual([['1', ['10']], ['2', ['12']], ['4', []], ['5', []]]);
  });

  it('binds values as parameters and quotes column names', () => {
    const compiled = filterSql({ all: [{ equals: { column: 'note', value: "x' or '1'='1" } }, { in: { column: 'age', values: [1, 2] } }, { isNull: 'deleted_at' }] })?.compile(embedded.db);
    expect(compiled?.sql).toBe('(("note" = $1) and ("age" in ($2, $3)) and ("deleted_at" is null))');
    expect(compiled?.parameters).toEqual(["x' or '1'='1", 1, 2]);
    expect(filterSql({ sql: '  ' })).toBeUndefined();
    expect(filterSql({ sql: 'a or b' })?.compile(embedded.db).sql).toBe('(a or b)');
  });

  it('leaves the table intact after a value that looks like SQL', async () => {
    const count = await sql<{ n: number }>`select count(*)::int as n from filter_users`.execute(embedded.db);
    expect(count.rows[0]?.n).toBe(5);
  });
});
