import type { JobRecord } from './checkpoint-records.js';
import { LEDGER_OUTCOMES, type BatchState, type LedgerOutcome } from './checkpoint-schema.js';
import type { StateSql } from './state-sql.js';

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
  /** Users whose fate is unknown (kept in doubt; the next run looks them up), beside those of unsettled batches. */
  inDoubt: number;
}

/** Counts the ledger by outcome and the journal by state: two grouped queries, no row loaded. */
export async function readCounts(db: StateSql): Promise<Omit<CheckpointStatus, 'job' | 'cursor'>> {
  const counts = Object.fromEntries(LEDGER_OUTCOMES.map((outcome) => [outcome, 0])) as Record<LedgerOutcome, number>;
  for (const row of await db.all<{ outcome: LedgerOutcome; count: number }>('select outcome, count(*) as count from ledger group by outcome')) {
    counts[row.outcome] = Number(row.count);
  }
  const batches = { planned: 0, sent: 0, settled: 0 };
  for (const row of await db.all<{ state: BatchState; count: number }>('select state, count(*) as count from batches group by state')) {
    batches[row.state] = Number(row.count);
  }
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const inDoubt = Number((await db.get<{ count: number | string }>('select count(*) as count from in_doubt'))?.count ?? 0);
  return { counts, total, batches, inDoubt };
}
