import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `initdb` and `pg_ctl` live. */
export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

/**
 * Finds `initdb` and `pg_ctl`: `$PG_BIN` first, then `PATH`, then Debian's
 * `/usr/lib/postgresql/<version>/bin` (not on PATH there), newest version first.
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const candidates = [
    ...(env.PG_BIN ? [env.PG_BIN] : []),
    ...(env.PATH ?? '').split(delimiter).filter(Boolean),
    ...debianBinDirs(),
  ];
  for (const dir of candidates) {
    const initdb = join(dir, 'initdb');
    const pgCtl = join(dir, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return undefined;
}

function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}
