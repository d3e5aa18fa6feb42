import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatorStats } from '../emulator/index.js';

const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));
const LISTENING = /listening on (\S+)/;

/** An emulator running in its own process, as a real API is remote. */
export interface EmulatorProcess {
  baseUrl: string;
  /** The child's process id (for its CPU time in /proc). */
  pid: number | undefined;
  /** Its counters, from `GET /__emulator/stats`. */
  stats(): Promise<EmulatorStats>;
  /** SIGTERM, then waits for the exit (a `--cpu-prof` child writes its profile on the way out). */
  close(): Promise<void>;
}

/**
 * Starts `dynamic-migrate emulator --port 0 --rate-limit 0` as a child process, so its CPU is not
 * taken from the process being measured (on 2 cores, an in-process emulator competes with the
 * pipeline's single thread). `nodeArgs` go to the child's node, e.g. `--cpu-prof`; `args` replace
 * `--rate-limit 0` (e.g. the limits of the scale-out scenario).
 */
export async function spawnEmulator(options: { token: string; nodeArgs?: string[]; args?: string[] }): Promise<EmulatorProcess> {
  // The emulator keeps every user in memory: at --scale 1000000 that outgrows node's default heap.
  const nodeArgs = ['--max-old-space-size=8192', ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'emulator', '--port', '0', ...(options.args ?? ['--rate-limit', '0'])], {
    // The token goes through the environment, not argv (ps shows argv).
    env: { ...process.env, DYNAMIC_API_TOKEN: options.token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  // Never outlive the bench, even when it fails half-way.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const lines = createInterface({ input: child.stdout });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the emulator process exited (code ${code}) before listening`)));
  });
  const statsUrl = `${new URL(baseUrl).origin}/__emulator/stats`;
  return {
    baseUrl,
    pid: child.pid,
    stats: async () => (await (await fetch(statsUrl)).json()) as EmulatorStats,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      process.off('exit', orphanGuard);
      lines.close();
    },
  };
}
