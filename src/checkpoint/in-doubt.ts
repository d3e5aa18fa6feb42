import type Database from 'better-sqlite3';
import { run } from './prepared.js';
import { sortKey } from './sort-key.js';

type Raw = Database.Database;

/**
 * The users whose fate is unknown: keys of batches a run left unsettled (moved here in the same
 * transaction that forgets those batches), and users an answer was silent about. A key leaves this
 * table only in the transaction that records a definitive outcome for it, so no kill at any
 * instant can turn an in-doubt user into one sent without care.
 */

const INSERT = `insert into in_doubt (legacy_id, sort_key, since, reason) values (?, ?, ?, ?)
  on conflict (legacy_id) do nothing`;

/** Records keys as in doubt (a key already in doubt keeps its first reason); run inside a transaction. */
export function addInDoubt(raw: Raw, keys: Iterable<{ legacyId: string; reason: string }>, now: string): void {
  for (const { legacyId, reason } of keys) run(raw, INSERT, legacyId, sortKey(legacyId), now, reason);
}

/** Keys settled for good: no longer in doubt. Run inside the settle transaction. */
export function clearInDoubt(raw: Raw, keys: readonly string[]): void {
  if (keys.length === 0) return;
  run(raw, 'delete from in_doubt where legacy_id in (select value from json_each(?))', JSON.stringify(keys));
}

/** Every key in doubt, in legacy-id order. */
export function readInDoubt(raw: Raw): string[] {
  return (raw.prepare('select legacy_id from in_doubt order by sort_key').pluck().all() as string[]);
}
