import pg from 'pg';
import type { MappingSpec } from '../mapping/index.js';
import { compileMapping } from '../mapping/index.js';
import type { UserPayload } from '../contract/index.js';

/** Where the naive script sends, when it sends at all. */
export interface NaiveTarget {
  baseUrl: string;
  environmentId: string;
  token: string;
}

export interface NaiveResult {
  users: number;
  sent: number;
  seconds: number;
}

/**
 * The baseline: the migration as a hurried script would write it. OFFSET pagination (each page
 * re-scans every row before it), two child queries per user (no batching), the same mapping and
 * validation, and, with a target, one bulk request at a time. No checkpoint, no payload hashes, no
 * report: nothing is added to make it slow. Same data; with a target, the same kind of emulator
 * process over HTTP as the pipeline gets.
 */
export async function runNaiveBaseline(databaseUrl: string, spec: MappingSpec, target?: NaiveTarget): Promise<NaiveResult> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const mapRow = compileMapping(spec);
  let users = 0;
  let sent = 0;
  let batch: UserPayload[] = [];
  const flush = async () => {
    if (target && batch.length > 0) {
      const response = await fetch(`${target.baseUrl}/environments/${target.environmentId}/users/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (!response.ok) throw new Error(`naive baseline: HTTP ${response.status}`);
      await response.arrayBuffer();
      sent += batch.length;
    }
    batch = [];
  };
  try {
    for (let offset = 0; ; offset += 500) {
      const page = await client.query('select * from users where deleted_at is null order by id limit 500 offset $1', [offset]);
      if (page.rows.length === 0) break;
      for (const row of page.rows as Record<string, unknown>[]) {
        const wallets = await client.query('select * from user_wallets where user_id = $1 order by id', [row.id]);
        const identities = await client.query('select * from user_identities where user_id = $1 order by id', [row.id]);
        const result = mapRow({ key: String(row.id), row, children: { wallets: wallets.rows, identities: identities.rows } });
        users++;
        if (!result.ok) continue;
        batch.push(result.payload);
        if (batch.length === 50) await flush();
      }
    }
    await flush();
    return { users, sent, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}
