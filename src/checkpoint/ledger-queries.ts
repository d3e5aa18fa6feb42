import type { Kysely } from 'kysely';
import type { CheckpointTables, LedgerOutcome } from './checkpoint-schema.js';
import { toLedgerEntry, type LedgerEntry } from './checkpoint-records.js';
import { sortKey } from './sort-key.js';

type Db = Kysely<CheckpointTables>;

// SQLite allows 32,766 bound parameters per statement; stay far below it.
const KEYS_PER_QUERY = 500;
const ROWS_PER_INSERT = 100;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** The ledger entries of `keys` that exist, by legacy id. */
export async function readLedgerEntries(db: Db, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
  const found = new Map<string, LedgerEntry>();
  for (const chunk of chunks([...new Set(keys)], KEYS_PER_QUERY)) {
    const rows = await db.selectFrom('ledger').selectAll().where('legacy_id', 'in', chunk).execute();
    for (const row of rows) found.set(row.legacy_id, toLedgerEntry(row));
  }
  return found;
}

/** Inserts or replaces ledger entries (already merged with what was there). */
export async function writeLedgerEntries(db: Db, entries: readonly LedgerEntry[]): Promise<void> {
  for (const chunk of chunks(entries, ROWS_PER_INSERT)) {
    await db
      .insertInto('ledger')
      .values(
        chunk.map((entry) => ({
          legacy_id: entry.legacyId,
          sort_key: sortKey(entry.legacyId),
          dynamic_user_id: entry.dynamicUserId,
          outcome: entry.outcome,
          payload_hash: entry.payloadHash,
          error_code: entry.errorCode,
          error_message: entry.errorMessage,
          batch_seq: entry.batchSeq,
          first_seen_at: entry.firstSeenAt,
          updated_at: entry.updatedAt,
        })),
      )
      .onConflict((conflict) =>
        conflict.column('legacy_id').doUpdateSet((eb) => ({
          dynamic_user_id: eb.ref('excluded.dynamic_user_id'),
          outcome: eb.ref('excluded.outcome'),
          payload_hash: eb.ref('excluded.payload_hash'),
          error_code: eb.ref('excluded.error_code'),
          error_message: eb.ref('excluded.error_message'),
          batch_seq: eb.ref('excluded.batch_seq'),
          first_seen_at: eb.ref('excluded.first_seen_at'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/**
 * Streams ledger entries in legacy-id order (numeric ids numerically), one page at a time with a
 * keyset on `sort_key`, so millions of entries never sit in memory together and the connection is
 * free between pages for other queries.
 */
export async function* pageLedger(
  db: Db,
  options: { outcomes?: readonly LedgerOutcome[]; pageSize?: number } = {},
): AsyncGenerator<LedgerEntry> {
  const pageSize = options.pageSize ?? 1000;
  let after: string | null = null;
  for (;;) {
    let query = db.selectFrom('ledger').selectAll().orderBy('sort_key').limit(pageSize);
    if (options.outcomes) query = query.where('outcome', 'in', [...options.outcomes]);
    if (after !== null) query = query.where('sort_key', '>', after);
    const rows = await query.execute();
    for (const row of rows) yield toLedgerEntry(row);
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    after = last.sort_key;
  }
}
