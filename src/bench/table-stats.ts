import pg from 'pg';

/** Cumulative reads of one table from `pg_stat_user_tables`. */
export interface TableReads {
  seqScans: number;
  seqTuples: number;
  idxScans: number;
  idxTuples: number;
}

/**
 * Reads the statistics of `table`. Backends report their counters when they exit or go idle, so
 * callers close their pools first; the snapshot is cleared so the numbers are fresh.
 */
export async function tableReads(databaseUrl: string, table: string): Promise<TableReads> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_stat_clear_snapshot()');
    const { rows } = await client.query(
      'select seq_scan, seq_tup_read, idx_scan, idx_tup_fetch from pg_stat_user_tables where relname = $1',
      [table],
    );
    const r = rows[0] as Record<string, string | null> | undefined;
    return { seqScans: Number(r?.seq_scan ?? 0), seqTuples: Number(r?.seq_tup_read ?? 0), idxScans: Number(r?.idx_scan ?? 0), idxTuples: Number(r?.idx_tup_fetch ?? 0) };
  } finally {
    await client.end();
  }
}
