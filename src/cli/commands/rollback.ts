import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { DEFAULT_API_URL } from '../../pipeline/job-config.js';
import type { RollbackResult } from '../../rollback/index.js';
import { EXIT_CODES, setExitCode } from '../exit-codes.js';
import { flagOrEnv, resolveLocalAddress, withJobOptions, withLocalAddressOption, withStateUrlOption } from '../shared-options.js';
import { registerCliSecrets, requireSecureApiUrl, withInsecureApiUrlOption } from '../secret-guards.js';
import { requireJob, stateUrlOf } from './status.js';

interface RollbackArgs {
  job?: string;
  'checkpoint-dir': string;
  'state-url'?: string;
  'environment-id'?: string;
  'api-url'?: string;
  'allow-insecure-api-url': boolean;
  'local-address'?: string;
  'rate-limit': number;
  retries: number;
  concurrency: number;
  yes: boolean;
  'dry-run': boolean;
}

export const rollbackCommand: CommandModule<object, RollbackArgs> = {
  command: 'rollback',
  describe: 'Delete from Dynamic exactly the users this job created (from its ledger), after a preview and a confirmation; resumable',
  builder: (yargs) =>
    withStateUrlOption(withLocalAddressOption(withInsecureApiUrlOption(withJobOptions(yargs))))
      .option('environment-id', { type: 'string', describe: "Dynamic environment id; must be the job's own (default: the one the job ran against) [env: DYNAMIC_ENVIRONMENT_ID]" })
      .option('api-url', { type: 'string', describe: `Dynamic API base URL [env: DYNAMIC_API_URL] [default: ${DEFAULT_API_URL}]` })
      .option('rate-limit', { type: 'number', default: 1500, describe: 'Most DELETE requests per rolling minute (Dynamic allows 1,500 per IP on developer endpoints); 0 = no client-side limit' })
      .option('retries', { type: 'number', default: 8, describe: 'Retries per user on 5xx, network errors and timeouts (honouring Retry-After); the first 30 429s of a request wait on the rate limiter and use none' })
      .option('concurrency', { type: 'number', default: 4, describe: 'DELETE requests in flight at once' })
      .option('yes', { type: 'boolean', default: false, describe: 'Do not ask: delete after printing the preview (required when stdin is not a terminal)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the preview only; delete nothing (no token needed)' })
      .epilogue('Only ledger entries with outcome "created" and a Dynamic id are deleted; users the job updated or found already there are never touched. Each deletion is recorded at once (outcome "rolled_back"), so an interrupted rollback continues where it stopped.\nWith --state-url (a job in a state database) the job is locked by its run lock there instead of a lock file, and refused while any of its workers is live.\nThe API token is read from DYNAMIC_API_TOKEN only.\nExit codes: 0 everything selected is gone (or dry run); 2 usage error, no checkpoint, job locked, or not confirmed; 3 some deletions failed; 130 interrupted; 1 anything else.'),
  handler: async (args) => {
    const job = requireJob(args.job);
    const env = process.env;
    const token = flagOrEnv(undefined, 'DYNAMIC_API_TOKEN', env);
    registerCliSecrets({ token });
    const stateUrl = stateUrlOf(args, env);
    if (!args['dry-run'] && !token) throw new ConfigError('missing the API token: set DYNAMIC_API_TOKEN (or use --dry-run for the preview)');
    const apiUrl = flagOrEnv(args['api-url'], 'DYNAMIC_API_URL', env) ?? DEFAULT_API_URL;
    if (!args['dry-run']) requireSecureApiUrl(apiUrl, args['allow-insecure-api-url']);
    if (!Number.isInteger(args['rate-limit']) || args['rate-limit'] < 0) throw new ConfigError('invalid --rate-limit: a whole number, 0 or more');
    if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new ConfigError('invalid --concurrency: a whole number, 1 or more');
    const localAddress = await resolveLocalAddress(args['local-address']);
    const interactive = Boolean(process.stdin.isTTY);
    if (!args['dry-run'] && !args.yes && !interactive) {
      throw new ConfigError('rollback deletes users: confirm with --yes (stdin is not a terminal, so it cannot ask)');
    }
    // Loaded on use, so `--help` and the other commands start fast.
    const { confirmByName, formatRollbackPreview, formatRollbackResult, openRollback } = await import('../../rollback/index.js');
    const { interruptOnSignals } = await import('../interrupt.js');
    const { scrubMessage } = await import('../../checkpoint/scrub-message.js');
    const environmentId = flagOrEnv(args['environment-id'], 'DYNAMIC_ENVIRONMENT_ID', env);
    const session = await openRollback({
      job,
      checkpointDir: args['checkpoint-dir'],
      ...(stateUrl ? { stateUrl } : {}),
      apiUrl,
      ...(environmentId ? { environmentId } : {}),
      ...(token ? { token } : {}),
      ...localAddress,
      rateLimitPerMinute: args['rate-limit'],
      retries: args.retries,
      concurrency: args.concurrency,
    });
    try {
      for (const line of formatRollbackPreview(job, session.environmentId, session.plan)) console.log(line);
      if (args['dry-run'] || session.plan.toDelete === 0) {
        if (session.plan.toDelete === 0) console.log('Nothing to delete.');
        setExitCode(EXIT_CODES.OK);
        return;
      }
      if (!args.yes && !(await confirmByName(job, { input: process.stdin, output: process.stderr }))) {
        console.error('dynamic-migrate: not confirmed; nothing was deleted');
        setExitCode(EXIT_CODES.USAGE);
        return;
      }
      const interrupt = interruptOnSignals((message) => console.error(message));
      let lastLine = 0;
      try {
        const result = await session.execute({
          signal: interrupt.signal,
          observer: {
            progress: (done) => {
              if (Date.now() - lastLine < 2_000) return;
              lastLine = Date.now();
              console.error(`rollback: ${done.deleted + done.alreadyGone}/${session.plan.toDelete} deleted, ${done.failed} failed`);
            },
            retry: (info) => console.error(`retry ${info.attempt}: ${scrubMessage(info.reason) ?? ''}; waiting ${Math.round(info.delayMs)} ms`),
            warn: (message) => console.error(`warning: ${scrubMessage(message) ?? ''}`),
          },
        });
        for (const line of formatRollbackResult(result)) console.log(line);
        setExitCode(rollbackExitCode(result));
      } finally {
        interrupt.dispose();
      }
    } finally {
      await session.close();
    }
  },
};

/** 0 everything selected is gone, 3 some deletions failed, 130 interrupted, 1 a fatal error (401/403). */
function rollbackExitCode(result: RollbackResult): number {
  if (result.fatalError !== undefined) return EXIT_CODES.FAILURE;
  if (result.interrupted) return EXIT_CODES.INTERRUPTED;
  return result.failed > 0 ? EXIT_CODES.INCOMPLETE : EXIT_CODES.OK;
}
