import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { parse, resolve } from 'node:path';

/**
 * Makes `path` a folder only its owner can enter, for checkpoints and reports (they hold emails,
 * error messages and the id map). Missing folders are created with mode 0700, parents included.
 * An existing one (the repository ships `checkpoints/` 0755) is tightened to its owner's bits,
 * silently, only when that cannot hurt anyone else: it is ours (same uid), not sticky (a /tmp-like
 * shared folder), open to group or others, and not the working directory, the home directory or a
 * filesystem root (`--checkpoint-dir .` must not lock the project folder away from a web server or
 * a colleague). Otherwise it is left as it is.
 */
export function ensurePrivateDir(path: string): void {
  if (mkdirSync(path, { recursive: true, mode: 0o700 }) !== undefined) return;
  const stat = statSync(path);
  const uid = process.getuid?.();
  if (uid === undefined || stat.uid !== uid || !stat.isDirectory()) return;
  if ((stat.mode & 0o1000) !== 0 || (stat.mode & 0o077) === 0) return;
  const absolute = resolve(path);
  if (absolute === process.cwd() || absolute === homedir() || absolute === parse(absolute).root) return;
  chmodSync(path, stat.mode & 0o700);
}
