import type Database from 'better-sqlite3';

type Statement = Database.Statement<unknown[], unknown>;

// One cache per connection: a statement is parsed once per open checkpoint, not once per batch.
const caches = new WeakMap<Database.Database, Map<string, Statement>>();

/** The prepared statement for `sql` on this connection, prepared on first use. */
export function prepared(raw: Database.Database, sql: string): Statement {
  let cache = caches.get(raw);
  if (!cache) {
    cache = new Map();
    caches.set(raw, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = raw.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/** Rows of a prepared query, typed by the caller (the schema in checkpoint-schema.ts). */
export function all<Row>(raw: Database.Database, sql: string, ...params: unknown[]): Row[] {
  return prepared(raw, sql).all(...params) as Row[];
}

/** Runs a prepared write; returns changes and the last inserted rowid. */
export function run(raw: Database.Database, sql: string, ...params: unknown[]): Database.RunResult {
  return prepared(raw, sql).run(...params);
}
