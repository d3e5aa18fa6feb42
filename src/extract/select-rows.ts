import type { QueryResult, RawBuilder } from 'kysely';
import type { SourceDb } from './connect-source.js';
import type { CopyReader } from './copy-reader.js';

type Row = Record<string, unknown>;

const copyReaders = new WeakMap<SourceDb, CopyReader>();

/** Lets `selectRows` read through `reader` on `db` (a pg connection: `connectSource` does it). */
export function readWithCopy(db: SourceDb, reader: CopyReader): void {
  copyReaders.set(db, reader);
}

/**
 * The rows of a select over source rows: with COPY where `db` is a pg connection (see
 * `createCopyReader`), through kysely otherwise (PGlite, which the demo reads). Both give the same
 * row objects; the integration tests read alike through both.
 */
export async function selectRows(db: SourceDb, query: RawBuilder<unknown>, signal?: AbortSignal): Promise<Row[]> {
  const reader = copyReaders.get(db);
  if (reader) return reader.read(query, signal);
  return (await executeRaw(db, query, signal)).rows as Row[];
}

/**
 * Runs `query` through kysely, which (0.28, the last to support Node 20) takes no abort signal:
 * an abort stops the read before the query and discards its answer after it.
 */
export async function executeRaw<R>(db: SourceDb, query: RawBuilder<R>, signal?: AbortSignal): Promise<QueryResult<R>> {
  signal?.throwIfAborted();
  const result = await query.execute(db);
  signal?.throwIfAborted();
  return result;
}
