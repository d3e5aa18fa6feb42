import { readCursorSeq } from './job-row.js';
import type { StateSql } from './state-sql.js';

/**
 * Moves the scope's cursor over the longest run of its settled batches, in seq order, right after
 * the batch it last passed. Batches settle out of order when several are in flight; a settled batch
 * behind an unsettled one waits, so the cursor never passes a key whose fate is unknown.
 * Batches the cursor passes lose their key list: the ledger holds every key's outcome.
 * Batches planned unpositioned (the changed-children and in-doubt passes, whose keys are no range
 * of the pass's order; the first of two batches planned over one key range) are part of the prefix
 * but carry no position of their own, so the cursor keeps the last position before them.
 * Run inside the settle transaction, after `lockJobRow`: what it reads of the scope's batches
 * must not change before the cursor it computes from them is written.
 */
export async function advanceCursor(db: StateSql, scope: number, now: string): Promise<void> {
  const from = await readCursorSeq(db, scope);
  const blocker = await db.get<{ seq: number | null }>(`select min(seq) as seq from batches where scope = ? and state in ('planned', 'sent') and seq > ?`, scope, from);
  const last = await db.get<{ seq: number }>(
    'select seq from batches where scope = ? and seq > ? and seq < ? order by seq desc limit 1',
    scope, from, blocker?.seq ?? 2_147_483_647,
  );
  if (last === undefined) return;
  const positioned = await db.get<{ last_key: string }>(
    `select last_key from batches where scope = ? and seq > ? and seq <= ? and positioned = 1 order by seq desc limit 1`,
    scope, from, last.seq,
  );
  if (positioned) await db.run('update job set cursor = ?, cursor_seq = ?, updated_at = ? where id = ?', positioned.last_key, last.seq, now, scope);
  else await db.run('update job set cursor_seq = ?, updated_at = ? where id = ?', last.seq, now, scope);
  await db.run(`update batches set legacy_ids = '[]', sent_identities = '{}' where scope = ? and seq > ? and seq <= ?`, scope, from, last.seq);
}
