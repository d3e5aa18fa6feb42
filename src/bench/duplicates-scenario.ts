import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { MappingSpec } from '../mapping/index.js';
import { runCliDryRun } from './cli-dry-run.js';
import type { CliDryRun } from './cli-dry-run.js';
import { seedBenchDatabase } from './seed-bench-database.js';
import type { BenchSeedCounts } from './seed-bench-database.js';

/** One pair of dry runs, the same mapping without and with a duplicates policy. */
export interface DuplicatesRound {
  plain: CliDryRun;
  policy: CliDryRun;
}

export interface DuplicatesScenarioResult {
  seed: BenchSeedCounts & { duplicateRows: number };
  rounds: DuplicatesRound[];
  /** Medians over the rounds, in seconds: wall (spawn to exit) and reported (summary.json durationMs). */
  median: { plainWall: number; policyWall: number; plainReported: number; policyReported: number; wallRatio: number };
}

/**
 * `npm run bench -- --only dups` (issue 18): the dry run of mappings/example.ts on `scale` users
 * with wallets and identities, of which some share an email (case apart), a username, an EVM
 * address (case apart) or an OAuth account, without and with `duplicates: { policy:
 * 'rejectAllButFirst' }`. The two alternate, `rounds` times each (2 cores shared with others: the
 * median of interleaved runs, never one run), and what is compared is the process's wall time,
 * which a pass outside the reported duration cannot hide from.
 */
export async function runDuplicatesScenario(options: {
  databaseUrl: string; spec: MappingSpec; scale: number; rounds: number; workDir: string; log: (message: string) => void;
}): Promise<DuplicatesScenarioResult> {
  const { databaseUrl, workDir, log } = options;
  log(`(dups) seeding ${options.scale} users, then duplicates`);
  const seed = await seedBenchDatabase(databaseUrl, options.scale);
  const duplicateRows = await seedDuplicates(databaseUrl);
  const plainFile = join(workDir, 'dups-plain.json');
  const policyFile = join(workDir, 'dups-policy.json');
  writeFileSync(plainFile, JSON.stringify(options.spec));
  writeFileSync(policyFile, JSON.stringify({ ...options.spec, duplicates: { policy: 'rejectAllButFirst' } }));
  const rounds: DuplicatesRound[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    // Which goes first alternates too, so neither always runs on a warmer cache.
    const pair = round % 2 === 1 ? ['plain', 'policy'] as const : ['policy', 'plain'] as const;
    const done: Partial<DuplicatesRound> = {};
    for (const which of pair) {
      done[which] = await runCliDryRun({ databaseUrl, mappingFile: which === 'plain' ? plainFile : policyFile, workDir, job: `bench-dups-${which}-${round}`, workers: 0 });
      log(`(dups) round ${round} ${which}: wall ${done[which].processSeconds.toFixed(2)} s, reported ${done[which].seconds.toFixed(2)} s, ${done[which].rejected} rejected`);
    }
    rounds.push(done as DuplicatesRound);
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  };
  const plainWall = median(rounds.map((r) => r.plain.processSeconds));
  const policyWall = median(rounds.map((r) => r.policy.processSeconds));
  return {
    seed: { ...seed, duplicateRows },
    rounds,
    median: {
      plainWall, policyWall,
      plainReported: median(rounds.map((r) => r.plain.seconds)),
      policyReported: median(rounds.map((r) => r.policy.seconds)),
      wallRatio: policyWall / plainWall,
    },
  };
}

/** The scenario's result as lines for the console. */
export function formatDuplicatesScenario(result: DuplicatesScenarioResult): string {
  const s = (seconds: number) => `${seconds.toFixed(2)} s`;
  const { median: m } = result;
  return [
    `data: ${result.seed.users} users, ${result.seed.wallets} wallets, ${result.seed.identities} identities; ${result.seed.duplicateRows} rows changed to duplicate another`,
    ...result.rounds.map((r, i) => `round ${i + 1}: without policy wall ${s(r.plain.processSeconds)} reported ${s(r.plain.seconds)}; with policy wall ${s(r.policy.processSeconds)} reported ${s(r.policy.seconds)}`),
    `median of ${result.rounds.length}: without policy wall ${s(m.plainWall)} (reported ${s(m.plainReported)}); with policy wall ${s(m.policyWall)} (reported ${s(m.policyReported)}); wall ratio ${m.wallRatio.toFixed(2)}x`,
  ].join('\n');
}

/**
 * Users made to share an identity with the user before them, each kind ~0.1% of the users, all
 * valid for the example mapping: an email in upper case, a username in another case, a wallet
 * address with its hex digits in upper case (one case is no checksum, so it passes), an OAuth
 * account of the same provider and id.
 */
async function seedDuplicates(databaseUrl: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const changed = async (text: string) => (await pool.query(text)).rowCount ?? 0;
    let rows = 0;
    rows += await changed(`update users set email = upper('user' || (id - 1) || '@example.com') where id % 997 = 0`);
    rows += await changed(`update users set username = 'USER_' || (id - 1) where id % 1009 = 0 and (id - 1) % 7 <> 0 and id % 7 <> 0`);
    rows += await changed(`
      update user_wallets w set address = '0x' || upper(substr(o.address, 3))
      from user_wallets o
      where w.user_id % 1013 = 0 and o.user_id = w.user_id - 1
        and w.id = (select min(id) from user_wallets where user_id = w.user_id)
        and o.id = (select min(id) from user_wallets where user_id = o.user_id)`);
    rows += await changed(`
      update user_identities i set provider = o.provider, provider_uid = o.provider_uid
      from user_identities o
      where i.user_id % 1019 = 0 and o.user_id = i.user_id - 1`);
    await pool.query('vacuum (freeze, analyze) users, user_wallets, user_identities');
    return rows;
  } finally {
    await pool.end();
  }
}
