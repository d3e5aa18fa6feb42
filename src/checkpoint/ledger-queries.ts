import type { Selectable } from 'kysely';
import { sortKey, type CheckpointTables, type LedgerOutcome, type LedgerOwner } from './checkpoint-schema.js';
import { toLedgerEntry, type LedgerEntry } from './checkpoint-records.js';
import { mergeLedgerEntry, type IncomingOutcome } from './merge-ledger-entry.js';
import { forUpdate, inJsonList, type StateSql } from './state-sql.js';

type LedgerRow = Selectable<CheckpointTables['ledger']>;


const UPSERT = `insert into ledger (legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, error_code,
    error_message, batch_seq, first_seen_at, updated_at, owner, identity_hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (legacy_id) do update set dynamic_user_id = excluded.dynamic_user_id, outcome = excluded.outcome,
    payload_hash = excluded.payload_hash, error_code = excluded.error_code, error_message = excluded.error_message,
    batch_seq = excluded.batch_seq, first_seen_at = excluded.first_seen_at, updated_at = excluded.updated_at,
    owner = excluded.owner, identity_hash = excluded.identity_hash`;

// A new entry only: false when another transaction inserted the key since it was read.
const INSERT_NEW = `insert into ledger (legacy_id, sort_key, dynamic_user_id, outcome, payload_hash, error_code,
    error_message, batch_seq, first_seen_at, updated_at, owner, identity_hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict do nothing`;

/**
 * The ledger entries of `keys` that exist, by legacy id. With `lock` (inside a transaction), held
 * on PostgreSQL until it ends, taken in sort-key order so that two settles over common keys wait
 * for each other instead of deadlocking.
 */
export async function readLedgerEntries(db: StateSql, keys: readonly string[], options: { lock?: boolean } = {}): Promise<Map<string, LedgerEntry>> {
  const found = new Map<string, LedgerEntry>();
  if (keys.length === 0) return found;
  const text = options.lock
    ? `select * from ledger where legacy_id ${inJsonList(db)} order by sort_key${forUpdate(db)}`
    : `select * from ledger where legacy_id ${inJsonList(db)}`;
  for (const row of await db.all<LedgerRow>(text, JSON.stringify(keys))) found.set(row.legacy_id, toLedgerEntry(row));
  return found;
}

/**
 * Folds outcomes into the ledger (see `mergeLedgerEntry`); run inside the settle transaction.
 * Scopes settle at once and may hold the same legacy id (a replay, a takeover): the entries read
 * are locked until the commit (PostgreSQL), and a key another transaction inserted after the read
 * is not overwritten: it is read again, once that transaction committed, and merged with.
 */
export async function mergeIntoLedger(db: StateSql, incoming: readonly IncomingOutcome[], context: { batchSeq: number; now: string }): Promise<void> {
  let pending = incoming;
  while (pending.length > 0) {
    const known = await readLedgerEntries(db, pending.map((entry) => entry.legacyId), { lock: true });
    const merged = new Map<string, LedgerEntry>();
    for (const entry of pending) merged.set(entry.legacyId, mergeLedgerEntry(merged.get(entry.legacyId) ?? known.get(entry.legacyId), entry, context));
    const raced = new Set<string>();
    for (const e of merged.values()) {
      const params = [e.legacyId, sortKey(e.legacyId), e.dynamicUserId, e.outcome, e.payloadHash, e.errorCode,
        e.errorMessage, e.batchSeq, e.firstSeenAt, e.updatedAt, e.owner, e.identityHash];
      if (known.has(e.legacyId)) await db.run(UPSERT, ...params);
      else if ((await db.run(INSERT_NEW, ...params)) === 0) raced.add(e.legacyId);
    }
    // Only on PostgreSQL, and at most once per key: an entry is never deleted, so it is known next time.
    pending = pending.filter((entry) => raced.has(entry.legacyId));
  }
}

/**
 * A user this job created (owner `job`, whatever its last outcome) becomes `rolled_back`; false
 * when the entry was not one (unknown, someone else's, or already rolled back). One autocommitted statement.
 */
export async function markRolledBack(db: StateSql, legacyId: string, now: string): Promise<boolean> {
  return (await db.run(`update ledger set outcome = 'rolled_back', updated_at = ? where legacy_id = ? and owner = 'job' and outcome in ('created', 'updated', 'already_exists')`, now, legacyId)) > 0;
}

/**
 * Streams ledger entries in legacy-id order (numeric ids numerically), one page at a time with a
 * keyset on `sort_key`, so millions of entries never sit in memory together and the connection is
 * free between pages for other queries.
 */
export async function* pageLedger(
  db: StateSql,
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
    const rows = await db.all<LedgerRow>(sql, after, ...outcomes, ...(options.owner ? [options.owner] : []), pageSize);
    for (const row of rows) yield toLedgerEntry(row);
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    after = last.sort_key;
  }
}
