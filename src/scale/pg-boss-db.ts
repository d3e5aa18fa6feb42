import type pg from 'pg';
import type PgBoss from 'pg-boss';

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
      const client = await pool.connect();
      // A connection the server ends mid-query emits `error` on the client besides failing the
      // query; unheard, that would crash the process (pool.query listens the same way).
      let broken = false;
      const onError = () => (broken = true);
      client.on('error', onError);
      try {
        return await client.query(text, values);
      } catch (error) {
        if (!broken) broken = await client.query('ROLLBACK').then(() => false, () => true);
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
  };
}
