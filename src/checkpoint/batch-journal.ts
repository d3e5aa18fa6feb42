import type { Identity } from '../load/identity-holders.js';
import type { Selectable } from 'kysely';
import { CheckpointError } from '../errors.js';
import { advanceCursor } from './advance-cursor.js';
import { toBatchRecord, type BatchRecord } from './checkpoint-records.js';
import type { BatchPass, CheckpointTables } from './checkpoint-schema.js';
import { addInDoubt, clearInDoubt, type InDoubtKey } from './in-doubt.js';
import { lockJobRow, readCursorSeq } from './job-row.js';
import { mergeIntoLedger } from './ledger-queries.js';
import { writeRejections } from './rejection-records.js';
import { inDoubtOf, toIncomingOutcomes, type SettleResult } from './settle-result.js';
import { forUpdate, type StateSql } from './state-sql.js';

type BatchRow = Selectable<CheckpointTables['batches']>;

/** A batch as it is journaled before it is sent. */
export interface PlannedBatchInput {
  firstKey: string;
  lastKey: string;
  sendKeys: string[];
  upsert: boolean;
  pass?: BatchPass;
  /** The identities sent for each key: kept in doubt with the key if the batch's fate stays unknown. */
  sentIdentities?: Readonly<Record<string, readonly Identity[]>>;
  /**
   * Whether the cursor may move to `lastKey` once this batch settles (with all before it). False
   * for a batch whose keys are not a range of the pass's order (changed children, in-doubt
   * replays: always false for them), and for the first of two batches planned together over one
   * key range. @default true
   */
  positioned?: boolean;
}

/** Journals a batch of `scope` in state `planned`; returns its seq. One autocommitted insert. */
export async function planBatch(db: StateSql, scope: number, input: PlannedBatchInput, now: string): Promise<number> {
  // The keys of these passes are no range of the cursor's order, whatever the caller says.
  const positioned = input.positioned !== false && input.pass !== 'children' && input.pass !== 'in_doubt';
  const row = await db.get<{ seq: number }>(
    `insert into batches (scope, first_key, last_key, legacy_ids, sent_count, state, upsert, attempts, planned_at, pass, positioned, sent_identities)
      values (?, ?, ?, ?, ?, 'planned', ?, 0, ?, ?, ?, ?) returning seq`,
    scope, input.firstKey, input.lastKey, JSON.stringify(input.sendKeys), input.sendKeys.length, input.upsert ? 1 : 0, now,
    input.pass ?? 'full', positioned ? 1 : 0, JSON.stringify(input.sentIdentities ?? {}),
  );
  return Number(row?.seq);
}

/**
 * planned/sent → sent, one more attempt, for a batch of `scope` only.
 * @throws CheckpointError `checkpoint_batch_state` when the batch is settled, discarded or another scope's.
 */
export async function markSent(db: StateSql, scope: number, seq: number, now: string): Promise<void> {
  const changes = await db.run(`update batches set state = 'sent', attempts = attempts + 1, sent_at = ? where seq = ? and scope = ? and state in ('planned', 'sent')`, now, seq, scope);
  if (changes === 0) {
    throw new CheckpointError(`batch ${seq} cannot be marked sent: it is already settled, or unknown to scope ${scope}`, { code: 'checkpoint_batch_state' });
  }
}

/**
 * Settles a batch of `scope` in one transaction: the ledger entries of every outcome and rejection
 * merged with what the ledger knew, every broken rule of the rejected rows, the users the answer
 * was silent about (and any sent key the result does not mention) kept in doubt and every other key
 * of the batch out of doubt, the batch marked settled, the cursor advanced. On any error nothing of
 * it is written.
 * @throws CheckpointError `checkpoint_batch_state` when the batch is settled already, or unknown to
 *   `scope`: discarded by a resumed run (its late answer is then no outcome), or another scope's.
 */
export function settleBatch(db: StateSql, scope: number, seq: number, result: SettleResult, now: string): Promise<void> {
  return db.transaction(async (tx) => {
    // The batch's row, locked (on PostgreSQL) against a discard of it; the scope's job row only
    // for the cursor at the end, so batches of one chunk merge their users at once and wait for
    // each other only there (a remote state database costs a round trip per statement).
    const batch = await tx.get<{ state: string; legacy_ids: string; sent_identities: string; planned_at: string }>(
      `select state, legacy_ids, sent_identities, planned_at from batches where seq = ? and scope = ?${forUpdate(tx)}`, seq, scope);
    if (!batch || batch.state === 'settled') {
      throw new CheckpointError(`batch ${seq} cannot be settled: it is ${batch ? 'already settled' : `unknown to scope ${scope}`}`, { code: 'checkpoint_batch_state' });
    }
    const incoming = toIncomingOutcomes(result);
    await mergeIntoLedger(tx, incoming, { batchSeq: seq, now });
    await writeRejections(tx, seq, incoming.map((entry) => entry.legacyId), result.rejections);
    // A row rejected now says nothing about what an earlier attempt of it did in Dynamic: it stays
    // in doubt. (A user in doubt that Dynamic refuses now is looked up by the sender before it is
    // settled as failed.)
    await clearInDoubt(tx, incoming.filter((entry) => entry.outcome !== 'rejected').map((entry) => entry.legacyId));
    const inDoubt = inDoubtFrom(batch);
    await addInDoubt(tx, scope, inDoubtOf(result).map((key) => inDoubt(key.legacyId, key.reason)));
    // A key sent but missing from the result is as unknown as one the answer was silent about.
    const decided = new Set(incoming.map((entry) => entry.legacyId));
    const unmentioned = (JSON.parse(batch.legacy_ids) as string[]).filter((legacyId) => !decided.has(legacyId));
    await addInDoubt(tx, scope, unmentioned.map((legacyId) => inDoubt(legacyId, 'no_outcome')));
    await tx.run(`update batches set state = 'settled', settled_at = ? where seq = ?`, now, seq);
    await lockJobRow(tx, scope);
    await advanceCursor(tx, scope, now);
  });
}

/** Batches of `scope` planned or sent but never settled, in seq order. */
export async function unsettledBatches(db: StateSql, scope: number): Promise<BatchRecord[]> {
  return (await db.all<BatchRow>(`select * from batches where scope = ? and state in ('planned', 'sent') order by seq`, scope)).map(toBatchRecord);
}

/** One journal entry of `scope`, settled or not; undefined when discarded or another scope's. */
export async function batchBySeq(db: StateSql, scope: number, seq: number): Promise<BatchRecord | undefined> {
  const row = await db.get<BatchRow>('select * from batches where seq = ? and scope = ?', seq, scope);
  return row && toBatchRecord(row);
}

/**
 * Forgets the unsettled batches, their keys kept in doubt (in the same transaction, so no instant
 * exists at which they are neither journaled nor in doubt); the cursor chain restarts after every
 * batch journaled so far. One transaction.
 */
export function discardUnsettled(db: StateSql, scope: number, now: string): Promise<void> {
  return db.transaction(async (tx) => {
    await lockJobRow(tx, scope);
    const max = await tx.get<{ seq: number | null }>('select max(seq) as seq from batches where scope = ?', scope);
    const cursorSeq = await readCursorSeq(tx, scope);
    const rows = await tx.all<{ legacy_ids: string; sent_identities: string; planned_at: string }>(
      `select legacy_ids, sent_identities, planned_at from batches where scope = ? and state in ('planned', 'sent') order by seq`, scope);
    const keys = rows.flatMap((row) => {
      const inDoubt = inDoubtFrom(row);
      return (JSON.parse(row.legacy_ids) as string[]).map((legacyId) => inDoubt(legacyId, 'unanswered'));
    });
    await addInDoubt(tx, scope, keys);
    await tx.run(`delete from batches where scope = ? and state in ('planned', 'sent')`, scope);
    await tx.run(`update batches set legacy_ids = '[]', sent_identities = '{}' where scope = ? and seq > ?`, scope, cursorSeq);
    await tx.run('update job set cursor_seq = ?, updated_at = ? where id = ?', Math.max(cursorSeq, max?.seq ?? 0), now, scope);
  });
}

/**
 * The in-doubt record of a key of this batch: since the batch was planned (before every attempt of
 * it went out) and with the identities it was sent with.
 */
function inDoubtFrom(batch: { sent_identities: string; planned_at: string }): (legacyId: string, reason: string) => InDoubtKey {
  const sent = JSON.parse(batch.sent_identities) as Record<string, Identity[]>;
  return (legacyId, reason) => ({ legacyId, reason, since: batch.planned_at, identities: sent[legacyId] ?? [] });
}
