import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CheckpointError } from '../errors.js';

/** Who holds a job's lock; written as JSON into `<job>.lock` beside the checkpoint. */
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
  /** A lock whose file has not been touched for this long is stale (its holder is gone). @default 60000 */
  staleAfterMs?: number;
  /** How often a live holder touches its lock file. @default 10000 */
  heartbeatMs?: number;
  /** For tests. @default process.pid */
  pid?: number;
  /** For tests. @default os.hostname() */
  host?: string;
  now?: () => number;
}

/**
 * Takes the job's lock, so two runs of one job never interleave their batches. A run killed with
 * kill -9 cannot release it, so a lock is taken over when its holder is provably gone: same host and
 * the pid is not running, or (another host) the file has not been touched for `staleAfterMs`.
 * @throws CheckpointError `job_locked` (exit 2) while another live run holds it
 */
export async function acquireJobLock(path: string, options: AcquireJobLockOptions = {}): Promise<JobLock> {
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: new Date(options.now?.() ?? Date.now()).toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${JSON.stringify(holder)}\n`);
      await file.close();
      return heldLock(path, options.heartbeatMs ?? 10_000);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readHolder(path);
    if (!(await isStale(path, current, holder.host, options))) {
      const who = current ? `pid ${current.pid} on ${current.host}, since ${current.startedAt}` : 'an unreadable lock';
      throw new CheckpointError(
        `this job is already running (${who}); wait for it, or if that run is gone, delete ${path}`,
        { code: 'job_locked', exitCode: 2 },
      );
    }
    await rm(path, { force: true });
  }
  throw new CheckpointError(`could not take the job lock ${path}: another run keeps taking it`, { code: 'job_locked', exitCode: 2 });
}

function heldLock(path: string, heartbeatMs: number): JobLock {
  // Touching the file tells runs on other hosts (a shared checkpoint folder) that we are alive.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, heartbeatMs);
  heartbeat.unref();
  return {
    path,
    async release() {
      clearInterval(heartbeat);
      await rm(path, { force: true });
    },
  };
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(path: string, current: LockHolder | undefined, host: string, options: AcquireJobLockOptions): Promise<boolean> {
  if (current && current.host === host) return !isRunning(current.pid);
  const touched = await stat(path).then((s) => s.mtimeMs, () => 0);
  return (options.now?.() ?? Date.now()) - touched > (options.staleAfterMs ?? 60_000);
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

/** The lock file of a checkpoint: `checkpoints/<job>.lock`. */
export function lockPathFor(checkpointFile: string): string {
  return checkpointFile.replace(/\.db$/, '') + '.lock';
}
