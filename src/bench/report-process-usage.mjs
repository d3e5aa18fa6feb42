// Preloaded (`node --import`) into the process the bench measures: on exit, writes the kernel's
// record of the process's peak resident set (VmHWM: every page ever resident at once, not a
// sample) and the CPU time it used (all its threads) to the file named by BENCH_USAGE_FILE, so
// the bench can read them after the exit.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.BENCH_USAGE_FILE;
if (target) {
  process.on('exit', () => {
    const peakKiB = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    const cpu = process.cpuUsage();
    writeFileSync(target, JSON.stringify({ peakRssKiB: peakKiB ? Number(peakKiB) : null, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
  });
}
