import type { CommandModule } from 'yargs';
import type { IdMapFormat } from '../id-map-writer.js';
import { withJobOptions, withStateUrlOption } from '../shared-options.js';
import { requireJob, stateUrlOf } from './status.js';

interface ExportArgs {
  what: string;
  job?: string;
  'checkpoint-dir': string;
  'state-url'?: string;
  format: IdMapFormat;
  output?: string;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <what>',
  describe: 'Export from a job\'s ledger: "idmap" writes legacy id -> Dynamic user id',
  builder: (yargs) =>
    withStateUrlOption(withJobOptions(yargs))
      .positional('what', { choices: ['idmap'] as const, describe: 'What to export', demandOption: true })
      .option('format', { choices: ['csv', 'jsonl'] as const, default: 'csv' as const, describe: 'Output format' })
      .option('output', { type: 'string', describe: 'Write to this file (mode 0600) instead of stdout' }),
  handler: async (args) => {
    const job = requireJob(args.job);
    const { openJobCheckpoint } = await import('../../checkpoint/index.js');
    const { writeIdMap, writeIdMapFile } = await import('../id-map-writer.js');
    const store = await openJobCheckpoint({ job, checkpointDir: args['checkpoint-dir'], stateUrl: stateUrlOf(args) }, { create: false });
    try {
      if (args.output) {
        const rows = await writeIdMapFile(store, args.output, args.format);
        console.error(`${rows} rows written to ${args.output}`);
      } else {
        await writeIdMap(store, process.stdout, args.format);
      }
    } finally {
      await store.close();
    }
  },
};
