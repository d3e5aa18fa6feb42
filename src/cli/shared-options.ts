import type { Argv } from 'yargs';
import { checkLocalAddress } from '../load/bound-fetch.js';

/** Options every job command shares, built once (as node-pg-migrate does) so their help reads the same. */
export function withJobOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('job', {
      type: 'string',
      describe: 'Job name: names the checkpoint file checkpoints/<job>.db and the reports folder',
    })
    .option('checkpoint-dir', {
      type: 'string',
      default: 'checkpoints',
      describe: 'Folder holding the checkpoint databases',
    });
}

/** `--state-url`: the job's checkpoint in a shared PostgreSQL rather than a file (commands that read one). */
export function withStateUrlOption<T>(yargs: Argv<T>) {
  return yargs.option('state-url', {
    type: 'string',
    describe: 'Read the checkpoint from this PostgreSQL (schema dm_<job>) instead of a file under --checkpoint-dir [env: DYNAMIC_MIGRATE_STATE_URL]',
  });
}

export function withSourceOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('mapping', {
      type: 'string',
      demandOption: true,
      describe: 'Mapping file (.ts module or .json) describing the source table and how each Dynamic field is built',
    })
    .option('database-url', {
      type: 'string',
      describe: 'Legacy PostgreSQL connection URL, opened read-only [env: DATABASE_URL]',
    });
}

/** `--local-address`, for every command that sends requests to Dynamic. */
export function withLocalAddressOption<T>(yargs: Argv<T>) {
  return yargs.option('local-address', {
    type: 'string',
    describe: 'Send every request to Dynamic from this local IP address (IPv4 or IPv6): for a machine with several, or workers on 127.0.0.2, 127.0.0.3, ... that a per-IP limit counts apart',
  });
}

/**
 * Checks `--local-address` before any work starts: an IP address this machine can bind.
 * @throws ConfigError naming the flag.
 */
export async function resolveLocalAddress(value: string | undefined): Promise<{ localAddress?: string }> {
  if (value === undefined) return {};
  await checkLocalAddress(value);
  return { localAddress: value };
}

/** Reads a flag, falling back to an environment variable; empty strings count as unset. */
export function flagOrEnv(flag: string | undefined, envName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = flag ?? env[envName];
  return value === undefined || value === '' ? undefined : value;
}
