/**
 * `npm run bench`: builds a synthetic legacy database in real PostgreSQL and measures the pipeline
 * (issue 6). Flags: `--scale N` (users, default 100000), `--quick` (rate-limit scenarios on a clock
 * 6x faster), `--only dry` (just the dry run, for `node --cpu-prof`), `--out FILE`.
 * Uses DATABASE_URL if set (its users/user_wallets/user_identities tables are dropped and rebuilt!),
 * else a throwaway PostgreSQL started like the integration tests do.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startEmulator } from '../emulator/index.js';
import { connectSource } from '../extract/index.js';
import { loadMappingFile } from '../mapping/index.js';
import { jobConfigSchema, migrateJob } from '../pipeline/index.js';
import type { JobConfig } from '../pipeline/index.js';
import { startPostgres } from '../shared/start-postgres.js';
import { runNaiveBaseline } from './naive-baseline.js';
import { BENCH_ENVIRONMENT, BENCH_TOKEN, runRateLimitScenario } from './rate-limit-scenario.js';
import { startRssSampler } from './rss-sampler.js';
import { seedBenchDatabase } from './seed-bench-database.js';
import { tableReads } from './table-stats.js';
import { formatBenchTable } from './format-bench-table.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const scale = Number(option('scale') ?? 100_000);
const quick = flag('quick');
const only = option('only');
const limit = Number(option('limit') ?? 600);
const factor = Number(option('speedup') ?? (quick ? 6 : 1));
const work = mkdtempSync(join(tmpdir(), 'dynamic-migrate-bench-'));
const out = option('out') ?? join(work, 'bench-results.json');
const mappingFile = fileURLToPath(new URL('../../mappings/example.ts', import.meta.url));
const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

const results: Record<string, unknown> = {
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
  scale, quick, limitPerMinute: limit, clockSpeedup: factor,
};

const temp = process.env.DATABASE_URL ? undefined : await startPostgres();
const databaseUrl = process.env.DATABASE_URL ?? temp!.url;
try {
  log(`seeding ${scale} users`);
  results.seed = await seedBenchDatabase(databaseUrl, scale);
  const mapping = await loadMappingFile(mappingFile);
  const config = (overrides: Partial<JobConfig>): JobConfig =>
    jobConfigSchema.parse({ job: 'bench', mappingFile, databaseUrl, checkpointDir: join(work, 'checkpoints'), reportsDir: join(work, 'reports'), lagSeconds: 0, ...overrides });
  const timed = async <T>(run: (source: ReturnType<typeof connectSource>) => Promise<T>) => {
    const source = connectSource(databaseUrl);
    const started = performance.now();
    try { return { value: await run(source), seconds: (performance.now() - started) / 1000 }; } finally { await source.destroy(); }
  };

  log('(a) dry run');
  const rss = startRssSampler();
  const dry = await timed((source) => migrateJob(config({ job: 'bench-dry', dryRun: true }), { source }));
  results.dryRun = {
    users: dry.value.summary.extracted, rejected: dry.value.summary.rejected, seconds: dry.seconds,
    usersPerSecond: dry.value.summary.extracted / dry.seconds, peakRssMB: rss.stop(), maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  if (only !== 'dry') {
    log('(f) naive baseline, dry');
    const naiveDry = await runNaiveBaseline(databaseUrl, mapping.spec);
    results.naiveDryRun = { ...naiveDry, usersPerSecond: naiveDry.users / naiveDry.seconds };

    log('(b) end to end, limit off');
    const emulator = await startEmulator({ port: 0, token: BENCH_TOKEN, rateLimitPerMinute: 0 });
    const send = { apiUrl: emulator.baseUrl, environmentId: BENCH_ENVIRONMENT, token: BENCH_TOKEN, rateLimitPerMinute: 0 };
    const e2e = await timed((source) => migrateJob(config({ job: 'bench-e2e', ...send }), { source }));
    results.endToEnd = { users: e2e.value.summary.extracted, created: e2e.value.summary.created, seconds: e2e.seconds, usersPerSecond: e2e.value.summary.extracted / e2e.seconds };

    log('(e) incremental rerun, 1% changed');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const changed = (await pool.query(`update users set updated_at = now(), job_title = 'Staff Engineer' where id % 100 = 0`)).rowCount ?? 0;
    await pool.end();
    await sleep(1500);
    const before = await tableReads(databaseUrl, 'users');
    let firstRequestAt: number | undefined;
    const startedAt = performance.now();
    const rerun = await timed((source) => migrateJob(config({ job: 'bench-e2e', ...send }), { source, observer: { request: () => { firstRequestAt ??= performance.now(); } } }));
    await sleep(1500);
    const after = await tableReads(databaseUrl, 'users');
    results.incremental = {
      rowsChanged: changed, phase: rerun.value.summary.phase, rowsExtracted: rerun.value.summary.extracted, updated: rerun.value.summary.updated,
      unchanged: rerun.value.summary.unchanged, seconds: rerun.seconds,
      secondsBeforeFirstRequest: firstRequestAt === undefined ? null : (firstRequestAt - startedAt) / 1000,
      usersTuplesRead: { seq: after.seqTuples - before.seqTuples, index: after.idxTuples - before.idxTuples, seqScans: after.seqScans - before.seqScans },
    };
    await emulator.close();

    log('(f) naive baseline, end to end');
    const naiveEmulator = await startEmulator({ port: 0, token: BENCH_TOKEN, rateLimitPerMinute: 0 });
    const naiveE2e = await runNaiveBaseline(databaseUrl, mapping.spec, { baseUrl: naiveEmulator.baseUrl, environmentId: BENCH_ENVIRONMENT, token: BENCH_TOKEN });
    await naiveEmulator.close();
    results.naiveEndToEnd = { ...naiveE2e, usersPerSecond: naiveE2e.users / naiveE2e.seconds };

    const valid = dry.value.summary.wouldSend;
    const batchFor = (windows: number, perMinute: number) => Math.max(1, Math.min(50, Math.floor(valid / (windows * perMinute * 1.1))));
    log(`(c) server limit ${limit}/min, client ${limit}/min, 2 windows`);
    const source = connectSource(databaseUrl);
    try {
      results.atLimit = { server: limit, client: limit, windows: 2, batchSize: batchFor(2, limit),
        ...(await runRateLimitScenario(source, mapping.spec, { serverPerMinute: limit, clientPerMinute: limit, windows: 2, factor, batchSize: batchFor(2, limit) })) };
      const lower = Math.floor(limit / 2);
      log(`(d) server limit ${lower}/min, client ${limit}/min, 3 windows`);
      results.belowClient = { server: lower, client: limit, windows: 3, batchSize: batchFor(3, lower),
        ...(await runRateLimitScenario(source, mapping.spec, { serverPerMinute: lower, clientPerMinute: limit, windows: 3, factor, batchSize: batchFor(3, lower) })) };
    } finally {
      await source.destroy();
    }
  }
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatBenchTable(results));
  console.log(`\nresults: ${out}`);
} finally {
  await temp?.stop();
}
