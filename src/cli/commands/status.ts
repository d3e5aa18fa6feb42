import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { registerCliSecrets } from '../secret-guards.js';
import { flagOrEnv, withJobOptions, withStateUrlOption } from '../shared-options.js';
import type { JobOverview } from '../../scale/job-overview.js';

interface StatusArgs {
  job?: string;
  'checkpoint-dir': string;
  'state-url'?: string;
  'reports-dir': string;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: "Show a job's progress from its checkpoint ledger",
  builder: (yargs) =>
    withStateUrlOption(withJobOptions(yargs))
      .option('reports-dir', { type: 'string', default: 'checkpoints/reports', describe: 'Where the runs wrote their reports (the same as run\'s --reports-dir)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the status as JSON' }),
  handler: async (args) => {
    const job = requireJob(args.job);
    const { openJobCheckpoint } = await import('../../checkpoint/index.js');
    const { latestRun } = await import('../latest-run-summary.js');
    const stateUrl = stateUrlOf(args);
    const shared = stateUrl ? await openSharedStatus(stateUrl, job) : undefined;
    const store = shared?.store ?? await openJobCheckpoint({ job, checkpointDir: args['checkpoint-dir'], stateUrl }, { create: false });
    const checkpointFile = store.path;
    try {
      const status = await store.status();
      // A job in a state database: its chunks and the workers on them, across every machine.
      const overview = await shared?.overview(status.total);
      const run = latestRun(args['reports-dir'], job);
      const files = { checkpoint: checkpointFile, reports: join(args['reports-dir'], job), lastRun: run?.dir ?? null, rejects: run?.rejectsPath ?? null };
      if (args.json) {
        console.log(JSON.stringify({ ...status, ...overview, lastRun: run?.summary ?? null, files }, null, 2));
        return;
      }
      console.log(`job ${job}`);
      console.log(`  source         ${status.job.fingerprint.source}`);
      console.log(`  environment    ${status.job.fingerprint.environmentId ?? '(none)'}`);
      console.log(`  phase          ${status.job.phase === 'full' ? 'full (first pass, by primary key)' : 'incremental (changed rows since the cursor)'}`);
      console.log(`  cursor         ${status.cursor ?? '(not started)'}`);
      if (status.job.incrementalSince) console.log(`  changes since  ${status.job.incrementalSince}`);
      for (const [child, watermark] of Object.entries(status.job.childWatermarks)) console.log(`  ${`${child} up to`.padEnd(15)}${watermark}`);
      console.log(`  users in ledger ${status.total}`);
      for (const [outcome, count] of Object.entries(status.counts)) console.log(`    ${outcome.padEnd(15)} ${count}`);
      const unsettled = status.batches.planned + status.batches.sent;
      console.log(`  batches in doubt ${unsettled}${unsettled ? ' (their users are in doubt: the next run replays them and looks them up)' : ''}`);
      console.log(`  users in doubt  ${status.inDoubt}${status.inDoubt ? ' (an answer lost or silent: the next run looks them up first)' : ''}`);
      if (overview) printOverview(overview, status.job.phase);
      printLastRun(run?.summary ?? null);
      console.log('  files');
      console.log(`    checkpoint   ${files.checkpoint}`);
      console.log(`    reports      ${files.reports}`);
      if (files.lastRun) console.log(`    last run     ${files.lastRun}`);
      if (files.rejects) console.log(`    rejects      ${files.rejects}`);
    } finally {
      await store.close();
    }
  },
};

/** A scaled-out job: chunks by state, each live worker, the job's rate and ETA. */
function printOverview(overview: JobOverview, phase: string): void {
  const { chunks } = overview;
  console.log(`  chunks         ${chunks.planned === 0 ? '(not planned yet: "run --state-url" plans them)' : `${chunks.done} done, ${chunks.running} running, ${chunks.queued} queued, ${chunks.failed} failed of ${chunks.planned} (${chunks.rowsPlanned} rows planned)`}`);
  console.log(`  workers        ${overview.workers.length} live${overview.workers.length ? `, ${overview.requestsPerMinute} bulk requests/min, ${overview.usersPerMinute} users/min together` : ''}`);
  for (const worker of overview.workers) {
    console.log(`    ${worker.host} pid ${worker.pid}${worker.address ? ` from ${worker.address}` : ''}: ${worker.chunk === null ? 'between chunks' : `chunk ${worker.chunk}`}, ${worker.requestsLastMinute} bulk requests/min, ${worker.usersLastMinute} users/min (seen ${worker.seenSecondsAgo} s ago)`);
  }
  if (phase === 'full' && chunks.planned > 0) {
    const eta = overview.etaSeconds;
    console.log(`  eta            ${eta === null ? '(no worker is sending)' : eta === 0 ? 'every planned row is settled' : `${formatSeconds(eta)} at the current rate`}`);
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * The job's checkpoint in the state database, with a way to read its chunks and workers from the
 * same connection pool.
 */
async function openSharedStatus(stateUrl: string, job: string) {
  const { CheckpointStore, JOB_SCOPE, openPostgresBackend } = await import('../../checkpoint/index.js');
  const { readJobOverview } = await import('../../scale/job-overview.js');
  const { QUEUE_SCHEMA } = await import('../../scale/chunk-queue.js');
  const backend = await openPostgresBackend(stateUrl, job, { create: false, maxConnections: 1 });
  const store = await CheckpointStore.over(backend, { scope: JOB_SCOPE });
  return { store, overview: (settledUsers: number) => readJobOverview(backend.sql, job, { settledUsers, queueSchema: QUEUE_SCHEMA }) };
}

/** The last run's summary in a few lines: when it ran, what it did, whether it finished. */
function printLastRun(summary: Record<string, unknown> | null): void {
  if (!summary) {
    console.log('  last run       (no summary: no run finished yet)');
    return;
  }
  const n = (key: string) => (typeof summary[key] === 'number' ? (summary[key] as number) : 0);
  const how = summary.dryRun ? 'dry run' : summary.interrupted ? 'stopped early' : 'finished';
  console.log(`  last run       ${how} in ${(n('durationMs') / 1000).toFixed(1)} s: extracted ${n('extracted')}, created ${n('created')}, updated ${n('updated')}, already there ${n('alreadyExisted')}, conflicts ${n('conflicts')}, unchanged ${n('unchanged')}, rejected ${n('rejected')}, failed ${n('failed')}${summary.dryRun ? `, would send ${n('wouldSend')}` : ''}`);
}

/** `--state-url`, else `DYNAMIC_MIGRATE_STATE_URL`; its password is registered as a secret (never printed). */
export function stateUrlOf(args: { 'state-url'?: string | undefined }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const stateUrl = flagOrEnv(args['state-url'], 'DYNAMIC_MIGRATE_STATE_URL', env);
  registerCliSecrets({ databaseUrl: stateUrl });
  return stateUrl;
}

export function requireJob(job: string | undefined): string {
  if (!job) throw new ConfigError('missing --job');
  return job;
}
