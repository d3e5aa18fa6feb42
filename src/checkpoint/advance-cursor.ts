import type { Kysely } from 'kysely';
import type { CheckpointTables } from './checkpoint-schema.js';

/**
 * Moves the job's cursor over the longest run of settled batches, in seq order, right after the
 * batch it last passed. Batches settle out of order when several are in flight; a settled batch
 * behind an unsettled one waits, so the cursor never passes a key whose fate is unknown.
 * Batches the cursor passes lose their key list: the ledger holds every key's outcome.
 * Batches of the changed-children pass are part of the prefix but carry no position of their own
 * (their keys are user keys, not change cursors), so the cursor keeps the last position before them.
 * Run inside the settle transaction.
 */
export async function advanceCursor(db: Kysely<CheckpointTables>, now: string): Promise<void> {
  const job = await db.selectFrom('job').select(['cursor_seq']).where('id', '=', 1).executeTakeFirstOrThrow();
  const blocker = await db
    .selectFrom('batches')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('state', 'in', ['planned', 'sent'])
    .where('seq', '>', job.cursor_seq)
    .executeTakeFirst();
  let prefix = db
    .selectFrom('batches')
    .select(['seq', 'last_key'])
    .where('seq', '>', job.cursor_seq)
    .orderBy('seq', 'desc')
    .limit(1);
  if (blocker?.seq != null) prefix = prefix.where('seq', '<', blocker.seq);
  const last = await prefix.executeTakeFirst();
  if (last === undefined) return;
  const positioned = await db
    .selectFrom('batches')
    .select(['last_key'])
    .where('seq', '>', job.cursor_seq)
    .where('seq', '<=', last.seq)
    .where('pass', '!=', 'children')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();

  await db
    .updateTable('job')
    .set({ ...(positioned ? { cursor: positioned.last_key } : {}), cursor_seq: last.seq, updated_at: now })
    .where('id', '=', 1)
    .execute();
  await db
    .updateTable('batches')
    .set({ legacy_ids: '[]' })
    .where('seq', '>', job.cursor_seq)
    .where('seq', '<=', last.seq)
    .execute();
}
