import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBinaries } from './find-postgres-binaries.js';

const run = promisify(execFile);

/** runuser lives in /usr/sbin, which a minimal PATH (cron, CI, `env -i`) may leave out. */
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser';

/** A throwaway PostgreSQL server. */
export interface TemporaryPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust auth, no password. */
  url: string;
  /**
   * `pg_ctl restart` in `mode` (PostgreSQL's default: fast, which ends every session): the same
   * port and options; resolves once the server accepts connections again. Tests of clients that
   * must survive a restart.
   */
  restart(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL: `initdb` into a temp dir, `pg_ctl start` on a free loopback port
 * with fsync off. PostgreSQL refuses to run as root, so as root both run as the `postgres` system
 * user through `runuser`, and the temp dir is handed to that user.
 */
export async function startPostgres(): Promise<TemporaryPostgres> {
  const binaries = findPostgresBinaries();
  if (!binaries) {
    throw new Error(
      'PostgreSQL binaries (initdb, pg_ctl) not found on PATH nor in /usr/lib/postgresql/*/bin: ' +
        'install PostgreSQL (apt-get install postgresql) or set DATABASE_URL',
    );
  }
  const asUser = await postgresUser();
  // As root, $TMPDIR may be a directory the postgres user cannot enter; /tmp always can be.
  const root = await mkdtemp(join(asUser ? '/tmp' : tmpdir(), 'dynamic-migrate-pg-'));
  const dataDir = join(root, 'data');
  if (asUser) await chown(root, asUser.uid, asUser.gid);
  // runuser keeps the caller's working directory, which the postgres user may not be able to enter.
  const exec = (file: string, args: string[]) =>
    run(asUser ? RUNUSER : file, asUser ? ['-u', 'postgres', '--', file, ...args] : args, { cwd: root, env: pgEnv() });

  try {
    await exec(binaries.initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      try {
        await exec(binaries.pgCtl, ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
        const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
        return {
          url,
          restart: async (mode = 'fast') => {
            // pg_ctl restart reuses the options of the start (postmaster.opts); without -l the server would hold our stdout.
            await exec(binaries.pgCtl, ['-D', dataDir, '-l', join(root, 'server.log'), '-m', mode, '-w', '-t', '60', 'restart']);
          },
          stop: async () => {
            await exec(binaries.pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
            await rm(root, { recursive: true, force: true });
          },
        };
      } catch (error) {
        // Most likely the port was taken between probing and binding: try another.
        const log = await readFile(join(root, 'server.log'), 'utf8').catch(() => '');
        lastError = new Error(`pg_ctl start failed; server log:\n${log.slice(-2000)}`, { cause: error });
      }
    }
    throw lastError;
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** The `postgres` user's ids when we are root (PostgreSQL refuses root), else undefined. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error('running as root, but there is no "postgres" system user to run PostgreSQL as (apt-get install postgresql creates it)');
  }
}

function pgEnv(): NodeJS.ProcessEnv {
  // A PGDATA/PGPORT from the caller's shell must not redirect our throwaway server.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of ['PGDATA', 'PGPORT', 'PGHOST', 'PGUSER', 'PGDATABASE', 'PGOPTIONS']) delete env[name];
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
