import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inJsonList, sqliteStateSql, type StateSql } from '../../../src/checkpoint/state-sql.js';

let raw: Database.Database;
let db: StateSql;

beforeEach(() => {
  raw = new Database(':memory:');
  raw.exec('create table t (k text primary key, v integer not null)');
  db = sqliteStateSql(raw);
});
afterEach(() => raw.close());

const values = async () => (await db.all<{ k: string; v: number }>('select k, v from t order by k')).map((row) => `${row.k}=${row.v}`);

describe('sqliteStateSql', () => {
  it('runs statements with ? placeholders and binds a key list as one JSON parameter', async () => {
    expect(await db.run('insert into t (k, v) values (?, ?), (?, ?), (?, ?)', 'a', 1, 'b', 2, 'c', 3)).toBe(3);
    expect(await db.get<{ v: number }>('select v from t where k = ?', 'b')).toEqual({ v: 2 });
    expect(await db.all(`select k from t where k ${inJsonList(db)} order by k`, JSON.stringify(['a', 'c', 'z']))).toEqual([{ k: 'a' }, { k: 'c' }]);
  });

  it('rolls a transaction back as a whole when its body throws', async () => {
    await db.run('insert into t (k, v) values (?, ?)', 'a', 1);
    await expect(db.transaction(async (tx) => {
      await tx.run('update t set v = 2 where k = ?', 'a');
      await tx.run('insert into t (k, v) values (?, ?)', 'b', 1);
      throw new Error('settle failed');
    })).rejects.toThrow('settle failed');
    expect(await values()).toEqual(['a=1']);
  });

  it('holds every other statement back while a transaction is open across awaits, so none joins it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const failing = db.transaction(async (tx) => {
      await tx.run('insert into t (k, v) values (?, ?)', 'in-transaction', 1);
      await gate;
      throw new Error('rolled back');
    });
    // Issued while the transaction waits: it must run after the rollback, not inside the transaction.
    const outside = db.run('insert into t (k, v) values (?, ?)', 'outside', 1);
    const second = db.transaction(async (tx) => tx.run('insert into t (k, v) values (?, ?)', 'second', 1));
    release();
    await expect(failing).rejects.toThrow('rolled back');
    await outside;
    await second;
    expect(await values()).toEqual(['outside=1', 'second=1']);
  });

  it('lets one waiter at a time through when a transaction ends, however many queued behind it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = db.transaction(async (tx) => {
      await tx.run('insert into t (k, v) values (?, ?)', 'a', 1);
      await gate;
    });
    const failing = db.transaction(async (tx) => {
      await tx.run('insert into t (k, v) values (?, ?)', 'b', 1);
      throw new Error('rolled back');
    });
    const outside = db.run('insert into t (k, v) values (?, ?)', 'c', 1);
    const last = db.transaction(async (tx) => tx.run('insert into t (k, v) values (?, ?)', 'd', 1));
    release();
    await first;
    await expect(failing).rejects.toThrow('rolled back');
    await outside;
    await last;
    expect(await values()).toEqual(['a=1', 'c=1', 'd=1']);
  });
});
