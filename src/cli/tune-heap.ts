import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full GC before the next one:
 * +50% instead of its own choice (up to +300% on a machine with memory to spare). A migration run
 * keeps ~25 MB alive whatever the table's size, but every page in flight survives a scavenge or two
 * and is promoted, so with V8's default the heap swells to ~110 MB of mostly garbage between full
 * GCs. Measured on the 100k bench dry run: peak RSS 306 → 246 MB, 2-4% more CPU. Only the `run`
 * command sets it: the emulator keeps every user alive, where frequent full GCs would cost far more.
 * Not with `--workers`: each worker's heap would collect that often too (measured: 10-15% slower),
 * and workers are the opt-in that spends memory for speed. A heuristic knob, read at each GC: if a
 * Node version ignored it, the heap would just grow as before.
 */
const HEAP_GROWING_PERCENT = 50;

export function tightenHeapFor(config: { readonly workers: number }): void {
  if (config.workers === 0) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
