import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';

/** Who holds a job's lock; written as JSON into the holder file inside `<job>.lock/`. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export interface JobLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface AcquireJobLockOptions {
  /** A lock whose holder file has not been touched for this long is stale (its holder is gone). @default 60000 */
  staleAfterMs?: number;
  /** How often a live holder touches its holder file. @default 10000 */
  heartbeatMs?: number;
  /** For tests. @default process.pid */
  pid?: number;
  /** For tests. @default os.hostname() */
  host?: string;
  now?: () => number;
  /** For tests: awaited after a lock is judged stale and before it is taken over, to widen that window. */
  beforeTakeover?: () => Promise<void>;
}

// The lock is a folder, `<job>.lock/`, holding one file, `holder-<uuid>.json`, with the holder's
// pid, host and start. Two file system operations carry it, and both are atomic and conditional:
//
// - Taking: the holder file is written complete into a fresh folder `<job>.lock.<uuid>.tmp/`,
//   which is then renamed to `<job>.lock`. rename(2) replaces a folder only if it is empty, and
//   fails otherwise (ENOTEMPTY/EEXIST), so of runs starting at once exactly one lands, and the
//   others find a complete holder file naming a live run: never an empty file being written.
// - Taking over: a stale holder file is removed by its own name, which no other acquisition ever
//   uses (a uuid), so the removal cannot touch a lock taken meanwhile; then the rename again.
//   Of runs that all judged the same file stale, one unlink succeeds, the others get ENOENT, and
//   one rename lands on the emptied folder; the others fail on the winner's and are refused.
//
// Nothing here ever removes a file or folder that it did not just judge, by its name or by being
// empty: a release unlinks its own holder file and then `rmdir`s the folder, which fails if another
// run's file is in it (taken over, or taken right after our unlink); the heartbeat touches its own
// file and stops once that file is gone. A run killed at any step leaves either its holder file
// (taken over by the rules below), an empty folder (free: a rename replaces it) or its `.tmp`
// folder (nobody's lock). rename, unlink and rmdir are single operations on an NFS server too, so
// the same holds on a shared folder; what no lock file can prevent is a holder on another host that
// freezes longer than `staleAfterMs` and wakes up after its lock was taken over (a lease's limit).
// A plain `<job>.lock` file is a lock of an older version; `unlink` takes it over, and cannot
// remove a folder that replaced it meanwhile.
const HOLDER_FILE = /^holder-[0-9a-f-]{36}\.json$/;
const ATTEMPTS = 10;

/**
 * Takes the job's lock, so two runs of one job never interleave their batches. A run killed with
 * kill -9 cannot release it, so a lock is taken over when its holder is provably gone: same host and
 * the pid is not running, or (another host) the holder file has not been touched for `staleAfterMs`.
 * @throws CheckpointError `job_locked` (exit 2) while another live run holds it
 */
export async function acquireJobLock(path: string, options: AcquireJobLockOptions = {}): Promise<JobLock> {
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: new Date(options.now?.() ?? Date.now()).toISOString(),
  };
  const id = randomUUID();
  const name = `holder-${id}.json`;
  const staged = `${path}.${id}.tmp`;
  await mkdir(staged, { mode: 0o700 });
  try {
    await writeFile(join(staged, name), `${JSON.stringify(holder)}\n`, { mode: 0o600, flag: 'wx' });
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await moveIntoPlace(staged, path)) return heldLock(path, name, options.heartbeatMs ?? 10_000);
      const { holders, others } = await readLock(path);
      const live = holders.find((found) => !isStale(found, holder.host, options));
      if (live) {
        const who = live.holder ? `pid ${live.holder.pid} on ${live.holder.host}, since ${live.holder.startedAt}` : 'an unreadable lock';
        throw new CheckpointError(
          `this job is already running (${who}); wait for it, or if that run is gone, delete ${path} (rm -r)`,
          { code: 'job_locked', exitCode: 2 },
        );
      }
      if (holders.length > 0) await options.beforeTakeover?.();
      for (const found of holders) await removeIfThere(() => unlink(found.file));
      // Not ours to judge (a file manager's .DS_Store, say), but it would keep the folder from emptying.
      for (const other of others) await rm(join(path, other), { recursive: true, force: true });
      // Empty: a release or a takeover half-way. A rename replaces it on POSIX; rmdir frees it elsewhere.
      if (holders.length === 0 && others.length === 0) await rmdir(path).catch(() => {});
    }
    throw new CheckpointError(`could not take the job lock ${path}: another run keeps taking it`, { code: 'job_locked', exitCode: 2 });
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

/** Renames the staged folder to the lock; false when a lock (a non-empty folder, or an old lock file) is there. */
async function moveIntoPlace(staged: string, path: string): Promise<boolean> {
  try {
    await rename(staged, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
    throw error;
  }
}

function heldLock(path: string, name: string, heartbeatMs: number): JobLock {
  const file = join(path, name);
  // Touching the file tells runs on other hosts (a shared checkpoint folder) that we are alive.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') clearInterval(heartbeat); // taken over: never bring it back
    });
  }, heartbeatMs);
  heartbeat.unref();
  return {
    path,
    async release() {
      clearInterval(heartbeat);
      await removeIfThere(() => unlink(file));
      await rmdir(path).catch(() => {}); // only if empty: another run's lock stays
    },
  };
}

interface FoundHolder {
  /** The holder file, or the lock path itself for an older version's plain lock file. */
  file: string;
  holder: LockHolder | undefined;
  touchedMs: number;
}

/** The holder files at the lock path now, and anything else in its folder. */
async function readLock(path: string): Promise<{ holders: FoundHolder[]; others: string[] }> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { holders: [], others: [] };
    if (code !== 'ENOTDIR') throw error;
    const legacy = await readHolderFile(path);
    return { holders: legacy ? [legacy] : [], others: [] };
  }
  const holders: FoundHolder[] = [];
  for (const name of names.filter((entry) => HOLDER_FILE.test(entry))) {
    const found = await readHolderFile(join(path, name));
    if (found) holders.push(found);
  }
  return { holders, others: names.filter((entry) => !HOLDER_FILE.test(entry)) };
}

/** undefined when the file is gone by now (released or taken over since the folder was read). */
async function readHolderFile(file: string): Promise<FoundHolder | undefined> {
  try {
    const touchedMs = (await stat(file)).mtimeMs;
    const text = await readFile(file, 'utf8');
    return { file, holder: parseHolder(text), touchedMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

function isStale(found: FoundHolder, host: string, options: AcquireJobLockOptions): boolean {
  if (found.holder && found.holder.host === host) return !isRunning(found.holder.pid);
  return (options.now?.() ?? Date.now()) - found.touchedMs > (options.staleAfterMs ?? 60_000);
}

/** Signal 0 checks that a process exists; EPERM means it exists but belongs to someone else. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs an unlink that may find its file gone (ENOENT), or find a folder where an old lock file was
 * (EISDIR on Linux, EPERM on macOS): another run got there first, which is what we wanted anyway.
 */
async function removeIfThere(remove: () => Promise<void>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  }
}

/** The lock of a checkpoint: `checkpoints/<job>.lock`. */
export function lockPathFor(checkpointFile: string): string {
  return checkpointFile.replace(/\.db$/, '') + '.lock';
}
