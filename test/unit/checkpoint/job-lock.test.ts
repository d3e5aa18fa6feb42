import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acquireJobLock, lockPathFor } from '../../../src/checkpoint/job-lock.js';
import { CheckpointError } from '../../../src/errors.js';

// Real files and real processes: the lock is about what other processes can see.
describe('job lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-lock-'));
  const path = join(dir, 'job.lock');
  afterEach(() => rmSync(path, { force: true, recursive: true }));
  afterAll(() => rmSync(dir, { force: true, recursive: true }));

  it('is exclusive while its holder lives, and free again once released', async () => {
    const first = await acquireJobLock(path);
    expect(statSync(path).mode & 0o777).toBe(0o700);
    const holderFiles = readdirSync(path);
    expect(holderFiles).toHaveLength(1);
    expect(statSync(join(path, holderFiles[0] ?? '')).mode & 0o777).toBe(0o600);
    const refused = await acquireJobLock(path).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CheckpointError);
    expect((refused as CheckpointError).code).toBe('job_locked');
    expect((refused as CheckpointError).exitCode).toBe(2);
    expect((refused as Error).message).toMatch(new RegExp(`already running \\(pid ${process.pid} on `));
    await first.release();
    expect(existsSync(path)).toBe(false);
    await (await acquireJobLock(path)).release();
  });

  it('takes over the lock of a process on this host that is gone (kill -9 leaves its file)', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    await new Promise((resolve) => child.once('spawn', resolve));
    const pid = child.pid as number;
    const held = await acquireJobLock(path, { pid });
    void held; // never released: its holder is about to die
    await expect(acquireJobLock(path)).rejects.toThrow(/already running/);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const taken = await acquireJobLock(path);
    await taken.release();
  });

  it('on another host, trusts the heartbeat: refused while fresh, taken over when stale', async () => {
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'x' }));
    await expect(acquireJobLock(path, { staleAfterMs: 60_000 })).rejects.toThrow(/pid 1 on elsewhere/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    await (await acquireJobLock(path, { staleAfterMs: 60_000 })).release();
  });

  it('never lets a release remove a lock that was taken over from it', async () => {
    // A holder on another host looks gone to a run two minutes later (its heartbeat stopped, say,
    // while its machine slept); that run takes over, and then the first one wakes up and releases.
    const sleeper = await acquireJobLock(path, { host: 'host-a' });
    const taker = await acquireJobLock(path, { host: 'host-b', now: () => Date.now() + 120_000 });
    await sleeper.release();
    await expect(acquireJobLock(path)).rejects.toThrow(/already running \(pid \d+ on host-b,/);
    await sleeper.release(); // twice: still nothing of the taker's is touched
    await expect(acquireJobLock(path)).rejects.toThrow(/on host-b,/);
    await taker.release();
    expect(existsSync(path)).toBe(false);
    await (await acquireJobLock(path)).release();
  });

  it('names the lock after the checkpoint', () => {
    expect(lockPathFor('/x/checkpoints/demo.db')).toBe('/x/checkpoints/demo.lock');
  });
});
