import { basename, extname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../errors.js';
import type { JobConfig } from '../../pipeline/index.js';
import { DEFAULT_API_URL } from '../../pipeline/job-config.js';
import { EXIT_CODES, setExitCode } from '../exit-codes.js';
import { flagOrEnv, resolveLocalAddress, withJobOptions, withLocalAddressOption, withSourceOptions } from '../shared-options.js';
import { interruptOnSignals } from '../interrupt.js';
import { passwordFlagWarning, registerCliSecrets, requireSecureApiUrl, withInsecureApiUrlOption } from '../secret-guards.js';
import { tightenHeapFor } from '../tune-heap.js';
import { stateUrlOf } from './status.js';
import type { ScaledClock } from '../../shared/scaled-clock.js';

interface RunArgs {
  mapping: string;
  'database-url'?: string;
  job?: string;
  'checkpoint-dir': string;
  'reports-dir': string;
  'dry-run': boolean;
  'environment-id'?: string;
  'api-url'?: string;
  'allow-insecure-api-url': boolean;
  'local-address'?: string;
  'page-size': number;
  'batch-size': number;
  concurrency: number;
  workers: number;
  'rate-limit': number;
  retries: number;
  upsert: boolean;
  'allow-mapping-change': boolean;
  lag: number;
  'resend-unchanged': boolean;
  'compare-target': boolean;
  'compare-rate-limit': number;
  'lookup-rate-limit': number;
  progress: boolean | undefined;
  'log-format': 'text' | 'json';
  quiet: boolean;
  'state-url'?: string;
  'rows-per-chunk': number;
  'environment-rate-limit': number;
  'takeover-after': number;
}

type Role = 'run' | 'worker';

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Migrate the users the mapping describes (resumes the job where it stopped; once the first full run is done, each run sends the users changed since the last)',
  builder: (yargs) => withRunOptions(yargs, 'run'),
  handler: (args) => runAs('run', args),
};

/**
 * `worker`: one more process for a job whose state is in a shared PostgreSQL. It claims chunks of
 * the full pass that `run --state-url` planned, on any machine, until none is left.
 */
export const workerCommand: CommandModule<object, RunArgs> = {
  command: 'worker',
  describe: 'Work the chunks of a job that "run --state-url" planned in a shared PostgreSQL, beside other workers on other machines (each from its own IP), until every chunk is done',
  builder: (yargs) => withRunOptions(yargs, 'worker'),
  handler: (args) => runAs('worker', args),
};

/** The options of `run`, and of `worker` (which never dry-runs, compares or plans, and needs the state database). */
function withRunOptions<T>(yargs: Argv<T>, role: Role) {
  const worker = role === 'worker';
  const options = withLocalAddressOption(withInsecureApiUrlOption(withJobOptions(withSourceOptions(yargs))))
    .option('dry-run', { type: 'boolean', default: false, hidden: worker, describe: 'Extract, map and validate everything; send nothing (no HTTP, no token) and write the would-be payloads, rejects and a summary' })
    .option('environment-id', { type: 'string', describe: 'Dynamic environment id (a UUID) [env: DYNAMIC_ENVIRONMENT_ID]' })
    .option('api-url', { type: 'string', describe: `Dynamic API base URL [env: DYNAMIC_API_URL] [default: ${DEFAULT_API_URL}]` })
    .option('reports-dir', { type: 'string', default: 'checkpoints/reports', describe: 'Where each run writes rejects.jsonl, failed.jsonl, payloads.jsonl (dry run) and summary.json' })
    .option('page-size', { type: 'number', default: 500, describe: 'Rows read from the source per keyset page' })
    .option('batch-size', { type: 'number', default: 50, describe: 'Users per bulk request (1-50)' })
    .option('concurrency', { type: 'number', default: 4, describe: 'Bulk requests in flight at once' })
    .option('workers', { type: 'number', default: 0, hidden: worker, describe: 'Worker threads that read and map the first (full) pass, each on its own read-only connection; on 2 cores slower than none (see docs/benchmark.md); 0 = none' })
    .option('rate-limit', { type: 'number', default: 150, describe: 'Most bulk requests per rolling minute from this process (Dynamic allows 150 per IP); 0 = no client-side limit' })
    .option('retries', { type: 'number', default: 8, describe: 'Retries per request on 5xx, network errors and timeouts (exponential backoff with jitter, honouring Retry-After); the first 30 429s of a request wait on the rate limiter and use none' })
    .option('upsert', { type: 'boolean', default: false, describe: 'Send with ?upsert=true so users that already exist in Dynamic are updated (in-doubt batches of a resumed run are replayed without it and resolved by look-up)' })
    .option('lag', { type: 'number', default: 300, describe: 'Seconds behind the database clock: rows committed later than now()-lag are left for the next run, so long transactions that commit late are not skipped' })
    .option('resend-unchanged', { type: 'boolean', default: false, hidden: worker, describe: 'Incremental reruns: also send changed rows whose mapped payload equals what was last sent (by default they are counted "unchanged" and not sent)' })
    .option('allow-mapping-change', { type: 'boolean', default: false, hidden: worker, describe: 'Run even though the mapping or source changed since the job started (users whose payload changed are re-sent by incremental runs); the environment can never change' })
    .option('compare-target', { type: 'boolean', default: false, hidden: worker, describe: 'Look each user that maps cleanly up in Dynamic by email (or username), read-only (GET only), and predict create, update or conflict in the report; meant for --dry-run, needs DYNAMIC_API_TOKEN and the environment id' })
    .option('compare-rate-limit', { type: 'number', default: 1500, hidden: worker, describe: 'Most --compare-target lookups per rolling minute (Dynamic allows 1500 developer requests per minute); 0 = no client-side limit' })
    .option('lookup-rate-limit', { type: 'number', default: 1500, describe: 'Most look-ups per rolling minute of users whose answer was lost or who Dynamic says already exist after a retried request (list users: Dynamic allows 1500 developer requests per minute); 0 = no client-side limit' })
    .option('state-url', {
      type: 'string',
      describe: worker
        ? 'The job\'s state database, the one "run --state-url" planned it in [env: DYNAMIC_MIGRATE_STATE_URL]'
        : 'Keep the job in this PostgreSQL (schema dm_<job>, created if missing) instead of a file, and cut its full pass into chunks that "dynamic-migrate worker" processes on other machines share [env: DYNAMIC_MIGRATE_STATE_URL]',
    })
    .option('rows-per-chunk', { type: 'number', default: 20_000, hidden: worker, describe: 'With --state-url: source rows per chunk of the full pass (one queued job each; a chunk is resumed or taken over as a whole)' })
    .option('environment-rate-limit', { type: 'number', default: 2400, describe: 'With --state-url: most requests per minute all processes of the job together send to the environment (Dynamic allows 3,000, shared with your product\'s own backend calls); 0 = no shared budget' })
    .option('takeover-after', { type: 'number', default: 120, describe: 'With --state-url: most seconds before a chunk of a dead worker (killed, machine lost) is taken over by another; give every process the same value' })
    .option('progress', { type: 'boolean', describe: 'Live progress display, only ever on a terminal; --no-progress turns it off (default: on when stderr is a terminal and --log-format is text)' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'stderr format: text for people, or json (one object per line: started, progress, retry, warn, finished, error) for log pipelines; never the token, never personal data' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors and the final summary' })
    .epilogue('The API token is read from DYNAMIC_API_TOKEN only, never from a flag, so it stays out of shell history and process lists.\nExit codes: 0 all rows accounted for and none failed; 2 usage or configuration error; 3 finished but some rows were rejected or failed; 130 interrupted (resumable); 1 anything else.');
  return options as unknown as Argv<RunArgs>;
}

/** Runs the job as `run` or as one more `worker`, with the text display or JSON logs. */
async function runAs(role: Role, args: RunArgs): Promise<void> {
  if (args['log-format'] === 'json') return runWithJsonLogs(role, args);
  // Loaded on use, so `--help` and the other commands start fast.
  const { exitCodeFor, migrateJob } = await import('../../pipeline/index.js');
  const { createConsoleObserver, printSummary } = await import('../console-output.js');
  const config = await resolveRunConfig(args, process.env, (message) => (args.quiet ? undefined : console.error(`warning: ${message}`)), role);
  tightenHeapFor(config);
  const observer = createConsoleObserver({
    progressBar: args.progress ?? Boolean(process.stderr.isTTY),
    quiet: args.quiet,
    rateLimitPerMinute: config.rateLimitPerMinute,
  });
  // Even with --quiet, Ctrl-C says what it is doing: that is an answer to the operator, not noise.
  const interrupt = interruptOnSignals((message) => (args.quiet ? console.error(message) : observer.warn?.(message)));
  try {
    const result = await migrateJob(config, { observer, signal: interrupt.signal, role, ...testKillPoint(), ...(await benchClock()) });
    observer.stop();
    printSummary(result);
    setExitCode(exitCodeFor(result.summary));
  } finally {
    observer.stop();
    interrupt.dispose();
  }
}

/**
 * `--log-format json`: every event, errors included, is one JSON line on stderr, so a log pipeline
 * never meets a line it cannot parse. The text summary still goes to stdout.
 */
async function runWithJsonLogs(role: Role, args: RunArgs): Promise<void> {
  const { exitCodeFor, migrateJob } = await import('../../pipeline/index.js');
  const { printSummary } = await import('../console-output.js');
  const { createJsonLogObserver } = await import('../json-log-observer.js');
  const { MigrateError, coerceError } = await import('../../errors.js');
  const observer = createJsonLogObserver({ quiet: args.quiet, rateLimitPerMinute: args['rate-limit'] });
  const interrupt = interruptOnSignals((message) => observer.warn?.(message));
  try {
    const config = await resolveRunConfig(args, process.env, (message) => observer.warn?.(message), role);
    tightenHeapFor(config);
    const result = await migrateJob(config, { observer, signal: interrupt.signal, role, ...testKillPoint(), ...(await benchClock()) });
    observer.finished(result.summary);
    printSummary(result);
    setExitCode(exitCodeFor(result.summary));
  } catch (thrown) {
    const error = coerceError(thrown);
    const known = error instanceof MigrateError;
    observer.error({ code: known ? error.code : 'unexpected', message: error.message, exitCode: known ? error.exitCode : EXIT_CODES.FAILURE });
    setExitCode(known ? error.exitCode : EXIT_CODES.FAILURE);
  } finally {
    interrupt.dispose();
  }
}

/**
 * Flags > environment > mapping file > defaults, validated once into a frozen config. The token
 * and the database password are registered with the scrubber as soon as they are read; `warn`
 * hears about a password given in `--database-url`.
 */
async function resolveRunConfig(
  args: RunArgs,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
  role: Role = 'run',
): Promise<Readonly<JobConfig>> {
  const envToken = flagOrEnv(undefined, 'DYNAMIC_API_TOKEN', env);
  const databaseUrl = flagOrEnv(args['database-url'], 'DATABASE_URL', env);
  const stateUrl = stateUrlOf(args, env); // its password registered as a secret too
  registerCliSecrets({ token: envToken, databaseUrl }); // a dry run sends no token, but nothing may print it either
  const statePasswordWarning = passwordFlagWarning(args['state-url'], { flag: '--state-url', env: 'DYNAMIC_MIGRATE_STATE_URL' });
  if (statePasswordWarning) warn(statePasswordWarning);
  if (role === 'worker' && (args['dry-run'] || args['compare-target'])) throw new ConfigError('a worker sends: --dry-run and --compare-target belong to "run"');
  if (stateUrl && !args['dry-run'] && args.workers > 0) {
    throw new ConfigError('--workers (map threads) is not used with --state-url: scale out with more "dynamic-migrate worker" processes instead');
  }
  const passwordWarning = passwordFlagWarning(args['database-url']);
  if (passwordWarning) warn(passwordWarning);
  const { loadMappingFile } = await import('../../mapping/index.js');
  const { jobConfigSchema } = await import('../../pipeline/job-config.js');
  const { spec } = await loadMappingFile(args.mapping);
  const parsed = jobConfigSchema.safeParse({
    job: args.job ?? spec.job ?? basename(args.mapping, extname(args.mapping)),
    mappingFile: args.mapping,
    databaseUrl,
    dryRun: args['dry-run'],
    apiUrl: flagOrEnv(args['api-url'], 'DYNAMIC_API_URL', env) ?? DEFAULT_API_URL,
    environmentId: flagOrEnv(args['environment-id'], 'DYNAMIC_ENVIRONMENT_ID', env),
    token: args['dry-run'] && !args['compare-target'] ? undefined : envToken,
    ...(await resolveLocalAddress(args['local-address'])),
    checkpointDir: args['checkpoint-dir'],
    reportsDir: args['reports-dir'],
    pageSize: args['page-size'],
    batchSize: args['batch-size'],
    concurrency: args.concurrency,
    workers: args.workers,
    rateLimitPerMinute: args['rate-limit'],
    retries: args.retries,
    upsert: args.upsert,
    allowMappingChange: args['allow-mapping-change'],
    lagSeconds: args.lag,
    resendUnchanged: args['resend-unchanged'],
    compareTarget: args['compare-target'],
    compareRateLimitPerMinute: args['compare-rate-limit'],
    lookupRateLimitPerMinute: args['lookup-rate-limit'],
    stateUrl,
    rowsPerChunk: args['rows-per-chunk'],
    environmentRateLimitPerMinute: args['environment-rate-limit'],
    takeoverAfterSeconds: args['takeover-after'],
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid ${issue?.path.join('.') ?? 'option'}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (!config.databaseUrl) throw new ConfigError('missing a database URL: pass --database-url or set DATABASE_URL');
  if (!config.dryRun || config.compareTarget) {
    if (!config.environmentId) throw new ConfigError('missing the environment id: pass --environment-id or set DYNAMIC_ENVIRONMENT_ID');
    if (!config.token) throw new ConfigError(`missing the API token: set DYNAMIC_API_TOKEN${config.compareTarget ? ' (--compare-target reads Dynamic)' : ' (or use --dry-run)'}`);
    requireSecureApiUrl(config.apiUrl, args['allow-insecure-api-url']);
  }
  return Object.freeze(config);
}

/**
 * Tests only: `DYNAMIC_MIGRATE_TEST_KILL_AT=<name>` makes the run SIGKILL itself at that instant
 * (see runPasses for the names), so a kill can be placed exactly. Unset in any real use.
 */
function testKillPoint(): { killPoint?: (name: string) => void } {
  const at = process.env.DYNAMIC_MIGRATE_TEST_KILL_AT;
  if (!at) return {};
  return { killPoint: (name) => { if (name === at) process.kill(process.pid, 'SIGKILL'); } };
}

/**
 * Bench only: `DYNAMIC_MIGRATE_BENCH_CLOCK=<origin ms>:<factor>` runs the loader's clock `factor`
 * times faster from `origin`, the clock of the bench's in-process emulator, so a restart scenario
 * can kill and restart real processes on one-minute windows in seconds. Unset in any real use.
 */
async function benchClock(): Promise<{ clock?: ScaledClock }> {
  const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(process.env.DYNAMIC_MIGRATE_BENCH_CLOCK ?? '');
  if (!match) return {};
  const { scaledClock } = await import('../../shared/scaled-clock.js');
  return { clock: scaledClock(Number(match[2]), Number(match[1])) };
}
