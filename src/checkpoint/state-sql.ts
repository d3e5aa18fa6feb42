import type Database from 'better-sqlite3';
import { prepared } from './prepared.js';

/**
 * The one way the checkpoint's queries reach a database: the embedded SQLite file or a shared
 * PostgreSQL (postgres-state.ts). Every query of the checkpoint is written once, with `?`
 * placeholders, in the SQL both accept; what differs has a helper below. A transaction is one
 * callback: committed when it resolves, rolled back when it throws.
 */
export interface StateSql {
  readonly dialect: 'sqlite' | 'postgres';
  all<Row>(text: string, ...params: unknown[]): Promise<Row[]>;
  get<Row>(text: string, ...params: unknown[]): Promise<Row | undefined>;
  /** A write; resolves with the number of rows it changed. */
  run(text: string, ...params: unknown[]): Promise<number>;
  transaction<T>(body: (tx: StateSql) => Promise<T>): Promise<T>;
}

/**
 * `in <the keys of a JSON array bound as one parameter>`: one statement for any number of keys,
 * and no limit on bound parameters, in either database.
 */
export function inJsonList(db: StateSql): string {
  return db.dialect === 'sqlite' ? 'in (select value from json_each(?))' : 'in (select jsonb_array_elements_text(?::jsonb))';
}

/**
 * ` for update` on PostgreSQL, to end a select whose rows the transaction goes on to rewrite: under
 * read committed another transaction could otherwise change them between the read and the write.
 * Nothing on SQLite, whose write transactions run one at a time.
 */
export function forUpdate(db: StateSql): string {
  return db.dialect === 'postgres' ? ' for update' : '';
}

/**
 * SQLite through better-sqlite3: statements are synchronous and prepared once per connection. A
 * transaction spans awaits (its body is async like every caller's), so while one is open every
 * other statement of this connection waits for it: nothing can slip into, or be rolled back with,
 * someone else's transaction.
 */
export function sqliteStateSql(raw: Database.Database): StateSql {
  let open: Promise<void> = Promise.resolve();
  let inTransaction = false;
  const direct: Omit<StateSql, 'transaction'> = {
    dialect: 'sqlite',
    all: async <Row>(text: string, ...params: unknown[]) => prepared(raw, text).all(...params) as Row[],
    get: async <Row>(text: string, ...params: unknown[]) => prepared(raw, text).get(...params) as Row | undefined,
    run: async (text, ...params) => prepared(raw, text).run(...params).changes,
  };
  const nested = (): never => {
    throw new Error('a checkpoint transaction cannot open another one');
  };
  const inside: StateSql = { ...direct, transaction: nested };
  // The check and the statement share one continuation: a helper awaited in between would let
  // every waiter wake together, and one's transaction begin under the others' statements.
  const after = async <T>(statement: () => Promise<T>): Promise<T> => {
    while (inTransaction) await open;
    return statement();
  };
  return {
    dialect: 'sqlite',
    all: (text, ...params) => after(() => direct.all(text, ...params)),
    get: (text, ...params) => after(() => direct.get(text, ...params)),
    run: (text, ...params) => after(() => direct.run(text, ...params)),
    async transaction(body) {
      while (inTransaction) await open;
      let done!: () => void;
      open = new Promise((resolve) => (done = resolve));
      inTransaction = true;
      try {
        raw.exec('begin immediate');
        try {
          const result = await body(inside);
          raw.exec('commit');
          return result;
        } catch (error) {
          if (raw.inTransaction) raw.exec('rollback');
          throw error;
        }
      } finally {
        inTransaction = false;
        done();
      }
    },
  };
}
