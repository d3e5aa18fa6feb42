import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { SourceDb } from '../extract/connect-source.js';
import { PGliteDialect } from './pglite-dialect.js';

/** An in-process PostgreSQL (PGlite) behind Kysely. */
export interface EmbeddedDatabase {
  db: SourceDb;
  /** Closes the database (and flushes it to `dataDir` when there is one). */
  close(): Promise<void>;
}

/** PostgreSQL type oid of int8/bigint. */
const INT8_OID = 20;

/**
 * Opens PGlite, a real PostgreSQL engine compiled to WebAssembly, in memory or in `dataDir`, so
 * the demo needs no database server. `int8` is returned as a string, as pg does, so primary keys
 * and the rows the mapper sees look the same as from a real server.
 */
export async function openEmbeddedDatabase(dataDir?: string): Promise<EmbeddedDatabase> {
  const pglite = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    parsers: { [INT8_OID]: (value: string) => value },
  });
  await pglite.waitReady;
  const db: SourceDb = new Kysely({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    close: async () => {
      await db.destroy();
      // Kysely closes PGlite only if it ever ran a query through it.
      if (!pglite.closed) await pglite.close();
    },
  };
}
