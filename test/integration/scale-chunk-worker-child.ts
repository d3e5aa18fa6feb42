// A worker of the chunk queue as a real process, for the takeover tests in scale-chunk-queue.test.ts:
//   STATE_URL=<state database> node --import tsx test/integration/scale-chunk-worker-child.ts <job> <takeover ms> <hang|quick>
// Prints `ready` once the queue is open, `took <chunk>` when a handler starts. With `hang` a handler
// waits for its signal and prints `aborted <chunk> <code of the reason>`; with `quick` it returns at
// once. When `work` returns: `result <WorkResult as JSON>`, then it closes the queue and exits.
import { openChunkQueue } from '../../src/scale/chunk-queue.js';

const [job = '', takeover = '6000', mode = 'quick'] = process.argv.slice(2);
const queue = await openChunkQueue(process.env.STATE_URL ?? '', { takeoverAfterMs: Number(takeover), retryDelayMs: 0 });
console.log('ready');
const result = await queue.work(job, async (chunk, signal) => {
  console.log(`took ${chunk.chunk}`);
  if (mode !== 'hang') return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  console.log(`aborted ${chunk.chunk} ${(signal.reason as { code?: string }).code ?? 'unknown'}`);
  throw signal.reason;
});
console.log(`result ${JSON.stringify(result)}`);
await queue.close();
