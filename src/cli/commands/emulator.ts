import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_EMULATOR_TOKEN } from '../../emulator/emulator-options.js';

interface EmulatorArgs {
  port: number;
  host: string;
  token?: string;
  environmentId?: string[];
  rateLimit: number;
  environmentRateLimit: number;
  rateWindowMs: number;
  failureRate: number;
  latencyRate: number;
  latencyMs: number;
  dropRate: number;
  spurious429Rate: number;
  rateLimitHeaders: boolean;
  seed?: number;
  stateFile?: string;
}

/**
 * `dynamic-migrate emulator`: runs the Dynamic API emulator until SIGINT/SIGTERM. Prints exactly
 * one line to stdout, `Dynamic API emulator listening on <baseUrl>`, which scripts and tests parse.
 */
export const emulatorCommand: CommandModule<object, EmulatorArgs> = {
  command: 'emulator',
  describe: 'Run a local emulator of Dynamic\'s user API, to rehearse a migration safely',
  builder: (yargs: Argv) =>
    yargs
      .option('port', { type: 'number', default: 4010, describe: 'TCP port to listen on (0 picks a free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Interface to listen on' })
      .option('token', {
        type: 'string',
        describe: `Bearer token the emulator accepts (else env DYNAMIC_API_TOKEN, else "${DEFAULT_EMULATOR_TOKEN}")`,
      })
      .option('environment-id', {
        type: 'string',
        array: true,
        describe: 'Restrict the token to these environment ids (repeatable); others get 403',
      })
      .option('rate-limit', { type: 'number', default: 150, describe: 'Bulk requests per minute per client IP, as Dynamic allows (0 = unlimited)' })
      .option('environment-rate-limit', { type: 'number', default: 0, describe: 'Requests per minute to one environment from all client IPs together, bulk and developer endpoints alike, as Dynamic allows 3,000 (0 = unlimited)' })
      .option('rate-window-ms', { type: 'number', default: 60_000, describe: 'Length of the rate-limit windows (per IP and per environment) in ms (shorten it to rehearse 429 handling quickly)' })
      .option('failure-rate', { type: 'number', default: 0, describe: 'Probability 0..1 that a bulk request gets an injected 500/502/503 (nothing stored)' })
      .option('latency-rate', { type: 'number', default: 0, describe: 'Probability 0..1 that a bulk request is delayed by --latency-ms' })
      .option('latency-ms', { type: 'number', default: 1000, describe: 'Delay added by --latency-rate, in milliseconds' })
      .option('drop-rate', { type: 'number', default: 0, describe: 'Probability 0..1 that a bulk request is stored, then its connection dropped unanswered' })
      .option('spurious-429-rate', { type: 'number', default: 0, describe: 'Probability 0..1 that a bulk request gets a 429 that says nothing about the limit (Retry-After: 1, a plain-text body), as a flaky proxy would' })
      .option('rate-limit-headers', { type: 'boolean', default: true, describe: 'Send RateLimit-* headers (an emulator courtesy: Dynamic documents only 429 + Retry-After); --no-rate-limit-headers to rehearse without them' })
      .option('seed', { type: 'number', describe: 'Seed for the fault dice, to reproduce a run (default: random)' })
      .option('state-file', { type: 'string', describe: 'JSON file keeping the users across restarts (written with mode 0600)' }) as unknown as Argv<EmulatorArgs>,
  handler: async (argv: ArgumentsCamelCase<EmulatorArgs>) => {
    const { startEmulator } = await import('../../emulator/index.js');
    const emulator = await startEmulator({
      port: argv.port,
      host: argv.host,
      // Never echoed: the token only reaches the access check.
      token: argv.token || process.env.DYNAMIC_API_TOKEN || DEFAULT_EMULATOR_TOKEN, // empty counts as unset, as for every setting
      environmentIds: argv.environmentId,
      rateLimitPerMinute: argv.rateLimit,
      environmentRateLimit: argv.environmentRateLimit,
      rateLimitWindowMs: argv.rateWindowMs,
      failureRate: argv.failureRate,
      latencyRate: argv.latencyRate,
      latencyMs: argv.latencyMs,
      dropRate: argv.dropRate,
      spurious429Rate: argv.spurious429Rate,
      rateLimitHeaders: argv.rateLimitHeaders,
      seed: argv.seed,
      stateFile: argv.stateFile,
    });
    // Listen for signals before announcing: a supervisor may send SIGTERM as soon as it reads the line.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    console.log(`Dynamic API emulator listening on ${emulator.baseUrl}`);
    await stopped;
    await emulator.close();
  },
};
