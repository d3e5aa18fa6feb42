import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { withJobOptions } from '../shared-options.js';
import { requireJob } from './status.js';

interface ResetArgs {
  job?: string;
  'checkpoint-dir': string;
  yes: boolean;
}

export const resetCommand: CommandModule<object, ResetArgs> = {
  command: 'reset',
  describe: 'Forget a job: delete its checkpoint and ledger (users already in Dynamic stay there)',
  builder: (yargs) =>
    withJobOptions(yargs).option('yes', { type: 'boolean', default: false, describe: 'Do not ask for confirmation' }),
  handler: async (args) => {
    const job = requireJob(args.job);
    const { checkpointPath, removeCheckpoint } = await import('../../checkpoint/index.js');
    const path = checkpointPath(args['checkpoint-dir'], job);
    if (!existsSync(path)) throw new ConfigError(`no checkpoint for job "${job}" at ${path}`);
    if (!args.yes) {
      if (!process.stdin.isTTY) throw new ConfigError('reset needs confirmation: pass --yes when not on a terminal');
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await prompt.question(`Forget job "${job}" (${path})? Its id map is lost; users already in Dynamic stay. Type the job name to confirm: `);
      prompt.close();
      if (answer.trim() !== job) {
        console.error('not confirmed; nothing deleted');
        return;
      }
    }
    // Never pull the checkpoint from under a running job: take its lock first.
    const { acquireJobLock, lockPathFor } = await import('../../checkpoint/job-lock.js');
    const lock = await acquireJobLock(lockPathFor(path));
    try {
      await removeCheckpoint(path);
    } finally {
      await lock.release();
    }
    console.log(`job ${job} reset: ${path} deleted`);
  },
};
