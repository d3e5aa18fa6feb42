import type { Identity } from '../load/identity-holders.js';
import { sortKey } from './checkpoint-schema.js';
import { forUpdate, inJsonList, type StateSql } from './state-sql.js';

/**
 * The users whose fate is unknown: keys of batches a run left unsettled (moved here in the same
 * transaction that forgets those batches), and users an answer was silent about. A key leaves this
 * table only in the transaction that records a definitive outcome for it, so no kill at any
 * instant can turn an in-doubt user into one sent without care. Each key belongs to the scope
 * that will replay it (the whole job, or the chunk whose range holds it).
 */

// The earlier of two ISO times, written so both databases accept it. The key moves to the scope
// that left it in doubt last: that scope's next run replays it.
const UPSERT = `insert into in_doubt (legacy_id, sort_key, since, reason, identities, scope) values (?, ?, ?, ?, ?, ?)
  on conflict (legacy_id) do update set since = case when excluded.since < in_doubt.since then excluded.since else in_doubt.since end,
    identities = excluded.identities, scope = excluded.scope`;
// A key not in doubt when read: false when another transaction put it there since.
const INSERT_NEW = `insert into in_doubt (legacy_id, sort_key, since, reason, identities, scope) values (?, ?, ?, ?, ?, ?)
  on conflict do nothing`;

/** A key in doubt, why, since when, and the identities the attempts in doubt carried. */
export interface InDoubtKey {
  legacyId: string;
  reason: string;
  /** When the attempt that may have created it went out (ISO): a Dynamic user made before it is not its doing. */
  since: string;
  identities?: readonly Identity[];
}

/**
 * Records keys as in doubt, in `scope` (a key in doubt in another scope moves to this one). A key
 * already in doubt keeps its first reason and its earliest attempt's time, and adds the identities
 * of this attempt to those of the earlier ones: any of them may be how Dynamic holds it. Run inside
 * a transaction: the row read is locked until it ends (PostgreSQL), and a key another scope put in
 * doubt after the read is read again, so neither attempt's identities are lost.
 */
export async function addInDoubt(db: StateSql, scope: number, keys: Iterable<InDoubtKey>): Promise<void> {
  for (const { legacyId, reason, since, identities = [] } of keys) {
    for (;;) {
      const earlier = await db.get<{ identities: string }>(`select identities from in_doubt where legacy_id = ?${forUpdate(db)}`, legacyId);
      const merged = new Map((earlier ? (JSON.parse(earlier.identities) as Identity[]) : []).map((identity) => [identity.key, identity]));
      for (const identity of identities) merged.set(identity.key, identity);
      const params = [legacyId, sortKey(legacyId), since, reason, JSON.stringify([...merged.values()]), scope];
      const written = await db.run(earlier ? UPSERT : INSERT_NEW, ...params);
      if (written > 0) break;
    }
  }
}

/** Keys settled for good: no longer in doubt. Run inside the settle transaction. */
export async function clearInDoubt(db: StateSql, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.run(`delete from in_doubt where legacy_id ${inJsonList(db)}`, JSON.stringify(keys));
}

/** Every key in doubt of `scope`, in legacy-id order. */
export async function readInDoubt(db: StateSql, scope: number): Promise<string[]> {
  return (await db.all<{ legacy_id: string }>('select legacy_id from in_doubt where scope = ? order by sort_key', scope)).map((row) => row.legacy_id);
}

/** What is known of each key in doubt: since when (the attempt's time), and the identities the attempts carried. */
export interface InDoubtDetail {
  since: string;
  identities: Identity[];
}

export async function readInDoubtDetails(db: StateSql, scope: number): Promise<Map<string, InDoubtDetail>> {
  const found = new Map<string, InDoubtDetail>();
  for (const row of await db.all<{ legacy_id: string; since: string; identities: string }>('select legacy_id, since, identities from in_doubt where scope = ?', scope)) {
    found.set(row.legacy_id, { since: row.since, identities: JSON.parse(row.identities) as Identity[] });
  }
  return found;
}
