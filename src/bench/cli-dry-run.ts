import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { serverCpuSeconds } from './server-cpu.js';

const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));
const USAGE_PRELOAD = fileURLToPath(new URL('./report-process-usage.mjs', import.meta.url));

/** What one `dynamic-migrate run --dry-run` process did, from its own summary and the kernel. */
export interface CliDryRun {
  users: number;
  rejected: number;
  /** The run's own clock (summary.json `durationMs`): connect to report, without node's start-up. */
  seconds: number;
  /** From spawn to exit, node's start-up and module loading included. */
  processSeconds: number;
  usersPerSecond: number;
  /** VmHWM: the most memory the process ever had resident at once (the kernel's count, not a sample). */
  peakRssMB: number;
  /** CPU time of the process, all threads, start-up included. */
  cpuSeconds: number;
  /** CPU time PostgreSQL spent serving it, when the server runs on this machine. */
  serverCpuSeconds: number | undefined;
}

export interface CliDryRunOptions {
  databaseUrl: string;
  mappingFile: string;
  /** Checkpoints and reports go under it. */
  workDir: string;
  job: string;
  workers?: number;
}

/**
 * Runs the dry run the way a user does, `dynamic-migrate run --dry-run`, in a process of its own,
 * so its peak memory is the tool's alone (not the bench's seeding, pools and emulator clients).
 * The database URL goes through the environment, never argv (`ps` shows argv).
 */
export async function runCliDryRun(options: CliDryRunOptions): Promise<CliDryRun> {
  const usageFile = join(options.workDir, `${options.job}.usage.json`);
  const reportsDir = join(options.workDir, 'cli-reports');
  const args = [
    'run', '--dry-run', '--quiet',
    '--mapping', options.mappingFile, '--job', options.job,
    '--checkpoint-dir', join(options.workDir, 'cli-checkpoints'), '--reports-dir', reportsDir,
    '--workers', String(options.workers ?? 0),
  ];
  const serverCpuBefore = await serverCpuSeconds(options.databaseUrl);
  const started = performance.now();
  // The bin itself, as `dynamic-migrate` runs (its shebang carries node's flags); the usage report
  // is loaded through NODE_OPTIONS.
  const nodeOptions = [process.env.NODE_OPTIONS, `--import ${JSON.stringify(USAGE_PRELOAD)}`].filter(Boolean).join(' ');
  const child = spawn(BIN, args, {
    env: { ...process.env, NODE_OPTIONS: nodeOptions, DATABASE_URL: options.databaseUrl, BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const processSeconds = (performance.now() - started) / 1000;
  // 3: finished, some rows rejected (the data's fault, reported): still a complete run.
  if (code !== 0 && code !== 3) throw new Error(`dynamic-migrate run --dry-run exited with code ${code}`);

  const jobReports = join(reportsDir, options.job);
  const latest = readdirSync(jobReports).sort().at(-1);
  if (!latest) throw new Error(`no report written under ${jobReports}`);
  const summary = JSON.parse(readFileSync(join(jobReports, latest, 'summary.json'), 'utf8')) as { extracted: number; rejected: number; durationMs: number };
  // The child's backends exit as its connections close; give the postmaster a moment to reap them.
  await sleep(250);
  const serverCpuAfter = await serverCpuSeconds(options.databaseUrl);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { peakRssKiB: number | null; cpuSeconds: number };
  if (usage.peakRssKiB === null) throw new Error('the dry-run process did not report its peak RSS (no /proc/self/status?)');
  const seconds = summary.durationMs / 1000;
  return {
    users: summary.extracted, rejected: summary.rejected, seconds, processSeconds,
    usersPerSecond: summary.extracted / seconds, peakRssMB: usage.peakRssKiB / 1024, cpuSeconds: usage.cpuSeconds,
    serverCpuSeconds: serverCpuBefore === undefined || serverCpuAfter === undefined ? undefined : serverCpuAfter - serverCpuBefore,
  };
}
