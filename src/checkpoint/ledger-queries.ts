import type Database from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { CheckpointTables, LedgerOutcome, LedgerOwner } from './checkpoint-schema.js';
import { toLedgerEntry, type LedgerEntry } from './checkpoint-records.js';
import { all, run } from './prepared.js';
import { sortKey } from './sort-key.js';

type LedgerRow = Selectable<CheckpointTables['ledger']>;

// A key list is bound as one JSON array: one prepared statement for any number of keys, and no
// limit on bound parameters.
const SELECT_BY_KEYS = 'select * from ledger where legacy_id in (select value from json_each(?))';

const UPSERT = `insert into ledger (legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, error_code,
    error_message, batch_seq, first_seen_at, updated_at, owner, identity_hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (legacy_id) do update set dynamic_user_id = excluded.dynamic_user_id, outcome = excluded.outcome,
    payload_hash = excluded.payload_hash, error_code = excluded.error_code, error_message = excluded.error_message,
    batch_seq = excluded.batch_seq, first_seen_at = excluded.first_seen_at, updated_at = excluded.updated_at,
    owner = excluded.owner, identity_hash = excluded.identity_hash`;

/** The ledger entries of `keys` that exist, by legacy id. */
export function readLedgerEntries(raw: Database.Database, keys: readonly string[]): Map<string, LedgerEntry> {
  const found = new Map<string, LedgerEntry>();
  if (keys.length === 0) return found;
  for (const row of all<LedgerRow>(raw, SELECT_BY_KEYS, JSON.stringify(keys))) found.set(row.legacy_id, toLedgerEntry(row));
  return found;
}

/** Inserts or replaces ledger entries (already merged with what was there); run inside a transaction. */
export function writeLedgerEntries(raw: Database.Database, entries: Iterable<LedgerEntry>): void {
  for (const e of entries) {
    run(raw, UPSERT, e.legacyId, sortKey(e.legacyId), e.dynamicUserId, e.outcome, e.payloadHash, e.errorCode,
      e.errorMessage, e.batchSeq, e.firstSeenAt, e.updatedAt, e.owner, e.identityHash);
  }
}

/**
 * A user this job created (owner `job`, whatever its last outcome) becomes `rolled_back`; false
 * when the entry was not one (unknown, someone else's, or already rolled back). One autocommitted statement.
 */
export function markRolledBack(raw: Database.Database, legacyId: string, now: string): boolean {
  return run(raw, `update ledger set outcome = 'rolled_back', updated_at = ? where legacy_id = ? and owner = 'job' and outcome in ('created', 'updated', 'already_exists')`, now, legacyId).changes > 0;
}

/**
 * Streams ledger entries in legacy-id order (numeric ids numerically), one page at a time with a
 * keyset on `sort_key`, so millions of entries never sit in memory together and the connection is
 * free between pages for other queries.
 */
export async function* pageLedger(
  raw: Database.Database,
  options: { outcomes?: readonly LedgerOutcome[]; owner?: LedgerOwner; pageSize?: number } = {},
): AsyncGenerator<LedgerEntry> {
  const pageSize = options.pageSize ?? 1000;
  const outcomes = options.outcomes ?? [];
  // One placeholder per outcome (not a JSON list): SQLite then walks the (outcome, sort_key) index.
  const byOutcome = options.outcomes ? ` and outcome in (${outcomes.map(() => '?').join(', ')})` : '';
  const byOwner = options.owner ? ' and owner = ?' : '';
  const sql = `select * from ledger where sort_key > ?${byOutcome}${byOwner} order by sort_key limit ?`;
  // '' sorts before every key: each sort key starts with `n` or `t`.
  let after = '';
  for (;;) {
    const rows = all<LedgerRow>(raw, sql, after, ...outcomes, ...(options.owner ? [options.owner] : []), pageSize);
    for (const row of rows) yield toLedgerEntry(row);
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    after = last.sort_key;
  }
}
