// A run racing for a job lock, as a real process; test/unit/checkpoint/job-lock.test.ts starts
// several, waits until each is booted, and then lets them go at once, round after round.
//   node --import tsx test/helpers/lock-racer.ts <lock path>
// Prints `ready`. On the line `go [takeover delay ms]` calls acquireJobLock and prints `held <pid>`
// or `refused <message>`; on `release` releases what it holds and prints `released`. Exits when its
// stdin ends.
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireJobLock } from '../../src/checkpoint/job-lock.js';
import type { JobLock } from '../../src/checkpoint/job-lock.js';
import { CheckpointError } from '../../src/errors.js';

const [path = ''] = process.argv.slice(2);
let lock: JobLock | undefined;

console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [command, delay = '0'] = line.split(' ');
  if (command === 'go') {
    const takeoverDelayMs = Number(delay);
    try {
      lock = await acquireJobLock(path, takeoverDelayMs > 0 ? { beforeTakeover: () => sleep(takeoverDelayMs) } : {});
      console.log(`held ${process.pid}`);
    } catch (error) {
      console.log(error instanceof CheckpointError ? `refused ${error.message}` : `error ${String(error)}`);
    }
  } else if (command === 'release') {
    await lock?.release();
    lock = undefined;
    console.log('released');
  }
}
await lock?.release();
