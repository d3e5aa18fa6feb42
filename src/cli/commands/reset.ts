import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { EXIT_CODES, setExitCode } from '../exit-codes.js';
import { withJobOptions, withStateUrlOption } from '../shared-options.js';
import { requireJob, stateUrlOf } from './status.js';

interface ResetArgs {
  job?: string;
  'checkpoint-dir': string;
  'state-url'?: string;
  yes: boolean;
}

export const resetCommand: CommandModule<object, ResetArgs> = {
  command: 'reset',
  describe: 'Forget a job: delete its checkpoint and ledger (users already in Dynamic stay there)',
  builder: (yargs) =>
    withStateUrlOption(withJobOptions(yargs))
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
      .epilogue('With --state-url the job is deleted from the state database: its schema dm_<job> (checkpoint, ledger, chunk plan, workers) and its chunks in the queue, under its run lock; refused while any of its workers is live.'),
  handler: async (args) => {
    const job = requireJob(args.job);
    const stateUrl = stateUrlOf(args);
    if (stateUrl) {
      // Loaded on use: the embedded path never loads the scale-out code.
      const { findSharedJob, removeSharedJob } = await import('../../scale/remove-shared-job.js');
      const where = await findSharedJob(stateUrl, job);
      if (!(await confirmed(job, args.yes, where))) return;
      await removeSharedJob(stateUrl, job);
      console.log(`job ${job} reset: deleted from ${where}`);
      return;
    }
    const { checkpointPath, removeCheckpoint } = await import('../../checkpoint/index.js');
    const path = checkpointPath(args['checkpoint-dir'], job);
    if (!existsSync(path)) throw new ConfigError(`no checkpoint for job "${job}" at ${path}`);
    if (!(await confirmed(job, args.yes, path))) return;
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

/** `--yes`, or the job's name typed on the terminal; `where` names the checkpoint, never a password. */
async function confirmed(job: string, yes: boolean, where: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new ConfigError('reset needs confirmation: pass --yes when not on a terminal');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await prompt.question(`Forget job "${job}" (${where})? Its id map is lost; users already in Dynamic stay. Type the job name to confirm: `);
  prompt.close();
  if (answer.trim() === job) return true;
  console.error('not confirmed; nothing deleted');
  setExitCode(EXIT_CODES.USAGE); // as rollback: a script must not read an unconfirmed reset as done
  return false;
}
