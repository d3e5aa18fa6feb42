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
  on conflict (legacy_id) do update set since = min(since, excluded.since), identities = excluded.identities`;

/** A key in doubt, why, since when, and the identities the attempts in doubt carried. */
export interface InDoubtKey {
  legacyId: string;
  reason: string;
  /** When the attempt that may have created it went out (ISO): a Dynamic user made before it is not its doing. */
  since: string;
  identities?: readonly Identity[];
}

/**
 * Records keys as in doubt. A key already in doubt keeps its first reason and its earliest
 * attempt's time, and adds the identities of this attempt to those of the earlier ones: any of
 * them may be how Dynamic holds it. Run inside a transaction.
 */
export function addInDoubt(raw: Raw, keys: Iterable<InDoubtKey>): void {
  for (const { legacyId, reason, since, identities = [] } of keys) {
    const earlier = get<{ identities: string }>(raw, 'select identities from in_doubt where legacy_id = ?', legacyId);
    const merged = new Map((earlier ? (JSON.parse(earlier.identities) as Identity[]) : []).map((identity) => [identity.key, identity]));
    for (const identity of identities) merged.set(identity.key, identity);
    run(raw, INSERT, legacyId, sortKey(legacyId), since, reason, JSON.stringify([...merged.values()]));
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

/** What is known of each key in doubt: since when (the attempt's time), and the identities the attempts carried. */
export interface InDoubtDetail {
  since: string;
  identities: Identity[];
}

export function readInDoubtDetails(raw: Raw): Map<string, InDoubtDetail> {
  const found = new Map<string, InDoubtDetail>();
  for (const row of raw.prepare('select legacy_id, since, identities from in_doubt').all() as Array<{ legacy_id: string; since: string; identities: string }>) {
    found.set(row.legacy_id, { since: row.since, identities: JSON.parse(row.identities) as Identity[] });
  }
  return found;
}
