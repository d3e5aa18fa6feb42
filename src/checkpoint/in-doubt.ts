import type Database from 'better-sqlite3';
import type { Identity } from '../load/identity-holders.js';
import { get, run } from './prepared.js';
import { sortKey } from './sort-key.js';

type Raw = Database.Database;

/**
 * The users whose fate is unknown: keys of batches a run left unsettled (moved here in the same
 * transaction that forgets those batches), and users an answer was silent about. A key leaves this
 * table only in the transaction that records a definitive outcome for it, so no kill at any
 * instant can turn an in-doubt user into one sent without care.
 */

const INSERT = `insert into in_doubt (legacy_id, sort_key, since, reason, identities) values (?, ?, ?, ?, ?)
  on conflict (legacy_id) do update set identities = excluded.identities`;

/** A key in doubt, why, and the identities the attempts in doubt carried. */
export interface InDoubtKey {
  legacyId: string;
  reason: string;
  identities?: readonly Identity[];
}

/**
 * Records keys as in doubt (a key already in doubt keeps its first reason and since, and adds the
 * identities of this attempt to those of the earlier ones: any of them may be how Dynamic holds
 * it); run inside a transaction.
 */
export function addInDoubt(raw: Raw, keys: Iterable<InDoubtKey>, now: string): void {
  for (const { legacyId, reason, identities = [] } of keys) {
    const earlier = get<{ identities: string }>(raw, 'select identities from in_doubt where legacy_id = ?', legacyId);
    const merged = new Map((earlier ? (JSON.parse(earlier.identities) as Identity[]) : []).map((identity) => [identity.key, identity]));
    for (const identity of identities) merged.set(identity.key, identity);
    run(raw, INSERT, legacyId, sortKey(legacyId), now, reason, JSON.stringify([...merged.values()]));
  }
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

/** The identities the attempts in doubt carried, by key (keys with none recorded are absent). */
export function readInDoubtIdentities(raw: Raw): Map<string, Identity[]> {
  const found = new Map<string, Identity[]>();
  for (const row of raw.prepare(`select legacy_id, identities from in_doubt where identities != '[]'`).all() as Array<{ legacy_id: string; identities: string }>) {
    found.set(row.legacy_id, JSON.parse(row.identities) as Identity[]);
  }
  return found;
}
