import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

// Runs started at once, as real processes. Each racer is booted once (tsx costs about half a second
// of CPU a process) and raced round after round; the holders hold until every racer has its outcome.
describe('job lock, raced by processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-lock-race-'));
  const path = join(dir, 'job.lock');
  const ROUNDS = 5;
  let racers: Racer[] = [];
  beforeAll(async () => {
    racers = Array.from({ length: 9 }, () => startRacer(path));
    for (const line of await Promise.all(racers.map((racer) => racer.next()))) expect(line).toBe('ready');
  }, 60_000);
  afterEach(() => rmSync(path, { force: true, recursive: true }));
  afterAll(async () => {
    for (const racer of racers) racer.child.stdin.end();
    await Promise.all(racers.map((racer) => racer.exited));
    rmSync(dir, { force: true, recursive: true });
  });
  const contenders = () => racers.slice(0, 8);

  it('lets exactly one of eight runs started at once take a fresh lock', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      expect(existsSync(path)).toBe(false);
      expectOneHolder(await raceRound(contenders(), 'go'));
    }
  });

  it('lets exactly one of eight runs racing to take over a killed run\'s lock take it', async () => {
    const victim = racers[8] as Racer;
    victim.child.stdin.write('go\n');
    expect(await victim.next()).toMatch(/^held /);
    victim.child.kill('SIGKILL');
    await victim.exited;
    expect(existsSync(path)).toBe(true); // kill -9: nothing released it
    const left = join(dir, 'left-by-kill-9');
    cpSync(path, left, { recursive: true });
    for (let round = 0; round < ROUNDS; round++) {
      rmSync(path, { force: true, recursive: true });
      cpSync(left, path, { recursive: true });
      // Each racer waits 100 ms between judging the lock stale and taking it over, so all of them
      // judge it stale before any takes it: the window in which a takeover that is not atomic lets
      // several in.
      expectOneHolder(await raceRound(contenders(), 'go 100'));
    }
  });
});

const RACER = fileURLToPath(new URL('../../helpers/lock-racer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Racer {
  child: ChildProcessByStdio<Writable, Readable, null>;
  /** The racer's next line of output. */
  next(): Promise<string>;
  exited: Promise<unknown>;
}

/** test/helpers/lock-racer.ts as a child process; see there for what it reads and prints. */
function startRacer(path: string): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, path], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    exited,
    next: async () => {
      const line = await Promise.race([lines.next(), exited.then(() => ({ done: true as const, value: undefined }))]);
      if (line.done) throw new Error(`racer ${child.pid} exited before printing a line`);
      return String(line.value);
    },
  };
}

/** Sends `command` to every racer at once; once each has its outcome, the holders release. */
async function raceRound(started: Racer[], command: string): Promise<string[]> {
  for (const racer of started) racer.child.stdin.write(`${command}\n`);
  const outcomes = await Promise.all(started.map((racer) => racer.next()));
  for (const [index, outcome] of outcomes.entries()) {
    if (!outcome.startsWith('held ')) continue;
    const holder = started[index] as Racer;
    holder.child.stdin.write('release\n');
    expect(await holder.next()).toBe('released');
  }
  return outcomes;
}

/** One `held <pid>`; every other racer refused, naming that pid as the holder. */
function expectOneHolder(outcomes: string[]): void {
  const held = outcomes.filter((outcome) => outcome.startsWith('held '));
  expect(held, outcomes.join('\n')).toHaveLength(1);
  const winner = (held[0] ?? '').slice('held '.length);
  for (const outcome of outcomes.filter((line) => !line.startsWith('held '))) {
    expect(outcome, outcomes.join('\n')).toMatch(new RegExp(`^refused this job is already running \\(pid ${winner} on `));
  }
}
