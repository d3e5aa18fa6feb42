import type { Kysely } from 'kysely';
import { CheckpointError } from '../errors.js';
import type { CheckpointTables } from './checkpoint-schema.js';
import { parseWatermarksOrEmpty } from './checkpoint-records.js';

type Db = Kysely<CheckpointTables>;

/**
 * Records where incremental reads will start, once: a resumed first run keeps the value its first
 * attempt recorded (before reading anything), so rows changed while it ran are not skipped.
 * @returns the value in force afterwards.
 */
export async function recordIncrementalSince(db: Db, since: string, now: string): Promise<string> {
  await db.updateTable('job').set({ incremental_since: since, updated_at: now }).where('id', '=', 1).where('incremental_since', 'is', null).execute();
  const row = await db.selectFrom('job').select(['incremental_since']).where('id', '=', 1).executeTakeFirstOrThrow();
  return row.incremental_since ?? since;
}

/**
 * Ends the full pass: the job becomes incremental with `cursor` (the change cursor at
 * `incremental_since`). Refused while a batch is unsettled: the full pass is not over until every
 * key has a known fate.
 * @throws CheckpointError `checkpoint_phase` when the job is not in the full phase, has unsettled
 *   batches, or never recorded where incremental reads start.
 */
export async function enterIncrementalPhase(db: Db, cursor: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('job').select(['phase', 'incremental_since', 'cursor_seq']).where('id', '=', 1).executeTakeFirstOrThrow();
    const unsettled = await trx.selectFrom('batches').select(['seq']).where('state', 'in', ['planned', 'sent']).limit(1).executeTakeFirst();
    if (job.phase !== 'full' || unsettled || job.incremental_since === null) {
      const why = job.phase !== 'full' ? 'it is already incremental' : unsettled ? 'batches are still unsettled' : 'it has no incremental start';
      throw new CheckpointError(`the job cannot switch to incremental runs: ${why}`, { code: 'checkpoint_phase' });
    }
    const max = await trx.selectFrom('batches').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    await trx
      .updateTable('job')
      .set({ phase: 'incremental', cursor, cursor_seq: Math.max(job.cursor_seq, max?.seq ?? 0), updated_at: now })
      .where('id', '=', 1)
      .execute();
  });
}

/** Moves one child's watermark: its changes up to `upper` have all been processed and settled. */
export async function setChildWatermark(db: Db, child: string, upper: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('job').select(['child_watermarks']).where('id', '=', 1).executeTakeFirstOrThrow();
    const watermarks = { ...parseWatermarksOrEmpty(row.child_watermarks), [child]: upper };
    await trx.updateTable('job').set({ child_watermarks: JSON.stringify(watermarks), updated_at: now }).where('id', '=', 1).execute();
  });
}
