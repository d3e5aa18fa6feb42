import type pg from 'pg';
import type PgBoss from 'pg-boss';
import { checkOut } from '../shared/checked-out-client.js';

/**
 * pg-boss's database adapter on our pool. pg-boss sends some commands as one text
 * `BEGIN; ...; COMMIT;` (schema creation, maintenance); when one fails half-way (two workers
 * creating the schema at once: pg-boss expects and ignores "already exists"), the connection is left
 * inside the aborted transaction and the next query on it would fail. So such a failure is rolled
 * back before the connection goes back to the pool, and a broken connection is discarded.
 */
export function transactionSafeDb(pool: pg.Pool): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const checkedOut = await checkOut(pool);
      let discard = false;
      try {
        return await checkedOut.client.query(text, values);
      } catch (error) {
        if (!checkedOut.broken) discard = await checkedOut.client.query('ROLLBACK').then(() => false, () => true);
        throw error;
      } finally {
        checkedOut.release(discard);
      }
    },
  };
}
