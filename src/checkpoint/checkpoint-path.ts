import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** Job names become file names: no path separators, no leading dot, nothing a shell would mangle. */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Where the checkpoint of `job` lives: `<dir>/<job>.db`.
 * @throws ConfigError when the job name is not a safe file name.
 */
export function checkpointPath(dir: string, job: string): string {
  if (!JOB_NAME_PATTERN.test(job)) {
    throw new ConfigError(
      `invalid job name "${job}": use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return join(dir, `${job}.db`);
}

/** Forgets a job: deletes its database and SQLite's side files. Missing files are not an error. */
export async function removeCheckpoint(path: string): Promise<void> {
  for (const suffix of ['-wal', '-shm', '-journal', '']) {
    await rm(`${path}${suffix}`, { force: true });
  }
}
