import type { Kysely } from 'kysely';
import type { JobRecord } from './checkpoint-records.js';
import { LEDGER_OUTCOMES, type CheckpointTables, type LedgerOutcome } from './checkpoint-schema.js';

/** Progress of a job, as `status` prints it. */
export interface CheckpointStatus {
  job: JobRecord;
  cursor: string | null;
  /** Legacy users in the ledger by outcome (every outcome present, zero when none). */
  counts: Record<LedgerOutcome, number>;
  /** Legacy users in the ledger. */
  total: number;
  /** Journal entries by state; batches discarded after a crash are not counted. */
  batches: { planned: number; sent: number; settled: number };
}

/** Counts the ledger by outcome and the journal by state: two grouped queries, no row loaded. */
export async function readCounts(db: Kysely<CheckpointTables>): Promise<Omit<CheckpointStatus, 'job' | 'cursor'>> {
  const counts = Object.fromEntries(LEDGER_OUTCOMES.map((outcome) => [outcome, 0])) as Record<LedgerOutcome, number>;
  const byOutcome = await db
    .selectFrom('ledger')
    .select((eb) => ['outcome', eb.fn.countAll<number>().as('count')])
    .groupBy('outcome')
    .execute();
  for (const row of byOutcome) counts[row.outcome] = Number(row.count);
  const batches = { planned: 0, sent: 0, settled: 0 };
  const byState = await db
    .selectFrom('batches')
    .select((eb) => ['state', eb.fn.countAll<number>().as('count')])
    .groupBy('state')
    .execute();
  for (const row of byState) batches[row.state] = Number(row.count);
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  return { counts, total, batches };
}
