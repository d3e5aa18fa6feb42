import { basename, extname } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import { DEFAULT_API_URL } from '../../pipeline/job-config.js';
import type { ReconcileConfig } from '../../reconcile/reconcile-config.js';
import { setExitCode } from '../exit-codes.js';
import { flagOrEnv, resolveLocalAddress, withJobOptions, withLocalAddressOption, withSourceOptions, withStateUrlOption } from '../shared-options.js';
import { passwordFlagWarning, registerCliSecrets, requireSecureApiUrl, withInsecureApiUrlOption } from '../secret-guards.js';
import { stateUrlOf } from './status.js';

interface ReconcileArgs {
  mapping: string;
  'database-url'?: string;
  job?: string;
  'checkpoint-dir': string;
  'state-url'?: string;
  'environment-id'?: string;
  'api-url'?: string;
  'allow-insecure-api-url': boolean;
  'local-address'?: string;
  'rate-limit': number;
  retries: number;
  json: boolean;
}

export const reconcileCommand: CommandModule<object, ReconcileArgs> = {
  command: 'reconcile',
  describe: 'Compare the eligible source rows, the job ledger and the users in Dynamic (read-only)',
  builder: (yargs) =>
    withStateUrlOption(withLocalAddressOption(withInsecureApiUrlOption(withJobOptions(withSourceOptions(yargs)))))
      .option('environment-id', { type: 'string', describe: 'Dynamic environment id (a UUID) [env: DYNAMIC_ENVIRONMENT_ID]' })
      .option('api-url', { type: 'string', describe: `Dynamic API base URL [env: DYNAMIC_API_URL] [default: ${DEFAULT_API_URL}]` })
      .option('rate-limit', { type: 'number', default: 1500, describe: 'Most list requests per rolling minute (Dynamic allows 1,500 per IP on developer endpoints); 0 = no client-side limit' })
      .option('retries', { type: 'number', default: 8, describe: 'Retries per list request on 5xx, network errors and timeouts; the first 30 429s of a request wait on the rate limiter and use none' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the whole report as JSON (every legacy id of every category)' })
      .epilogue('Nothing is written or deleted anywhere: users deleted in the source are reported, never removed from Dynamic.\nThe API token is read from DYNAMIC_API_TOKEN only.\nRows the mapping rejects (its duplicates policy included) are expected to be absent: listed, not a difference.\nExit codes: 0 source, ledger and Dynamic agree; 3 differences found, conflicts included (a user whose email, wallet or account someone else holds is not in Dynamic as theirs); 2 usage or configuration error; 1 anything else.'),
  handler: async (args) => {
    // Loaded on use, so `--help` and the other commands start fast.
    const { formatReconcileReport, reconcileExitCode, runReconcile } = await import('../../reconcile/index.js');
    const { scrubMessage } = await import('../../checkpoint/scrub-message.js');
    const config = await resolveReconcileConfig(args, process.env, (message) => console.error(`warning: ${message}`));
    const report = await runReconcile(config, {
      observer: {
        retry: ({ offset, attempt, delayMs, reason }) =>
          console.error(`retrying the user list at offset ${offset} in ${delayMs} ms (attempt ${attempt}: ${scrubMessage(reason) ?? ''})`),
        warn: (message) => console.error(`warning: ${scrubMessage(message) ?? ''}`),
      },
    });
    console.log(args.json ? JSON.stringify(report, null, 2) : formatReconcileReport(report));
    setExitCode(reconcileExitCode(report));
  },
};

/**
 * Flags > environment > mapping file > defaults, validated once into a frozen config. The token
 * and the passwords of the database and state URLs are registered with the scrubber as soon as
 * they are read; `warn` hears about a password given in `--database-url`.
 */
async function resolveReconcileConfig(
  args: ReconcileArgs,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
): Promise<Readonly<ReconcileConfig>> {
  const databaseUrl = flagOrEnv(args['database-url'], 'DATABASE_URL', env);
  const token = flagOrEnv(undefined, 'DYNAMIC_API_TOKEN', env);
  registerCliSecrets({ token, databaseUrl });
  const stateUrl = stateUrlOf(args, env);
  const passwordWarning = passwordFlagWarning(args['database-url']);
  if (passwordWarning) warn(passwordWarning);
  const { loadMappingFile } = await import('../../mapping/index.js');
  const { reconcileConfigSchema } = await import('../../reconcile/reconcile-config.js');
  const { spec } = await loadMappingFile(args.mapping);
  const environmentId = flagOrEnv(args['environment-id'], 'DYNAMIC_ENVIRONMENT_ID', env);
  if (!databaseUrl) throw new ConfigError('missing a database URL: pass --database-url or set DATABASE_URL');
  if (!environmentId) throw new ConfigError('missing the environment id: pass --environment-id or set DYNAMIC_ENVIRONMENT_ID');
  if (!token) throw new ConfigError('missing the API token: set DYNAMIC_API_TOKEN');
  const apiUrl = flagOrEnv(args['api-url'], 'DYNAMIC_API_URL', env) ?? DEFAULT_API_URL;
  requireSecureApiUrl(apiUrl, args['allow-insecure-api-url']);
  const parsed = reconcileConfigSchema.safeParse({
    job: args.job ?? spec.job ?? basename(args.mapping, extname(args.mapping)),
    mappingFile: args.mapping,
    databaseUrl,
    apiUrl,
    environmentId,
    token,
    ...(await resolveLocalAddress(args['local-address'])),
    checkpointDir: args['checkpoint-dir'],
    stateUrl,
    rateLimitPerMinute: args['rate-limit'],
    retries: args.retries,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid ${issue?.path.join('.') ?? 'option'}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.freeze(parsed.data);
}
