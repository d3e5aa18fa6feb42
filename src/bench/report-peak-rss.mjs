// Preloaded (`node --import`) into the process the bench measures: on exit, writes the kernel's
// record of the process's peak resident set (VmHWM: every page ever resident at once, not a
// sample) to the file named by BENCH_PEAK_RSS_FILE, so the bench can read it after the exit.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.BENCH_PEAK_RSS_FILE;
if (target) {
  process.on('exit', () => {
    const peakKiB = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    writeFileSync(target, JSON.stringify({ peakRssKiB: peakKiB ? Number(peakKiB) : null, maxRssKiB: process.resourceUsage().maxRSS }));
  });
}
