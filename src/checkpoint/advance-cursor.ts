import type Database from 'better-sqlite3';
import { get, run } from './prepared.js';
import { readCursorSeq } from './job-row.js';

/**
 * Moves the job's cursor over the longest run of settled batches, in seq order, right after the
 * batch it last passed. Batches settle out of order when several are in flight; a settled batch
 * behind an unsettled one waits, so the cursor never passes a key whose fate is unknown.
 * Batches the cursor passes lose their key list: the ledger holds every key's outcome.
 * Batches planned unpositioned (the changed-children and in-doubt passes, whose keys are no range
 * of the pass's order; the first of two batches planned over one key range) are part of the prefix
 * but carry no position of their own, so the cursor keeps the last position before them.
 * Run inside the settle transaction.
 */
export function advanceCursor(raw: Database.Database, now: string): void {
  const from = readCursorSeq(raw);
  const blocker = get<{ seq: number | null }>(raw, `select min(seq) as seq from batches where state in ('planned', 'sent') and seq > ?`, from);
  const last = get<{ seq: number }>(
    raw,
    'select seq from batches where seq > ? and seq < ? order by seq desc limit 1',
    from,
    blocker?.seq ?? Number.MAX_SAFE_INTEGER,
  );
  if (last === undefined) return;
  const positioned = get<{ last_key: string }>(
    raw,
    `select last_key from batches where seq > ? and seq <= ? and positioned = 1 order by seq desc limit 1`,
    from,
    last.seq,
  );
  if (positioned) run(raw, 'update job set cursor = ?, cursor_seq = ?, updated_at = ? where id = 1', positioned.last_key, last.seq, now);
  else run(raw, 'update job set cursor_seq = ?, updated_at = ? where id = 1', last.seq, now);
  run(raw, `update batches set legacy_ids = '[]', sent_identities = '{}' where seq > ? and seq <= ?`, from, last.seq);
}
