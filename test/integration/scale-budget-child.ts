// A process hammering the environment budget, for scale-environment-budget.test.ts:
//   STATE_URL=<state database> [CLOCK_SKEW_MS=<ms>] node --import tsx test/integration/scale-budget-child.ts <per span> <window ms> <span ms> <run ms> <concurrency>
// Prints `ready` once the budget is open; on the line `go` keeps <concurrency> acquirers asking
// for <run ms>, then prints `grants <JSON array of the true epoch ms of every grant>` and exits.
// CLOCK_SKEW_MS sets this machine's wall clock (Date.now) that far off, as a badly synced host's;
// grants are stamped from the monotonic clock, which the skew leaves alone.
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { openEnvironmentBudget } from '../../src/scale/environment-budget.js';

const skewMs = Number(process.env.CLOCK_SKEW_MS ?? 0);
if (skewMs) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skewMs;
}
const trueNow = () => performance.timeOrigin + performance.now();

const [perSpan, windowMs, spanMs, runMs, concurrency] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
const budget = await openEnvironmentBudget(process.env.STATE_URL ?? '', { perMinute: perSpan, windowMs, spanMs, key: 'test-environment' });
const input = createInterface({ input: process.stdin });
console.log('ready');
await once(input, 'line');
input.close();
const grants: number[] = [];
const stop = AbortSignal.timeout(runMs);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (!stop.aborted) {
      try {
        await budget.acquire(stop);
      } catch (error) {
        if (stop.aborted) break;
        throw error;
      }
      grants.push(trueNow());
    }
  }),
);
console.log(`grants ${JSON.stringify(grants)}`);
await budget.close();
