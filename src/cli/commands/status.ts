import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { withJobOptions } from '../shared-options.js';

interface StatusArgs {
  job?: string;
  'checkpoint-dir': string;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: "Show a job's progress from its checkpoint ledger",
  builder: (yargs) =>
    withJobOptions(yargs).option('json', { type: 'boolean', default: false, describe: 'Print the status as JSON' }),
  handler: async (args) => {
    const job = requireJob(args.job);
    const { CheckpointStore, checkpointPath } = await import('../../checkpoint/index.js');
    const store = await CheckpointStore.open(checkpointPath(args['checkpoint-dir'], job), { create: false });
    try {
      const status = await store.status();
      if (args.json) {
        console.log(JSON.stringify(status, null, 2));
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
      console.log(`  batches in doubt ${unsettled}${unsettled ? ' (the next run replays them with upsert)' : ''}`);
    } finally {
      await store.close();
    }
  },
};

export function requireJob(job: string | undefined): string {
  if (!job) throw new ConfigError('missing --job');
  return job;
}
