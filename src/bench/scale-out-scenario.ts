import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { EmulatorStats } from '../emulator/index.js';
import { loadMappingFile } from '../mapping/index.js';
import { spawnEmulator } from './emulator-process.js';
import type { EmulatorProcess } from './emulator-process.js';
import { BENCH_ENVIRONMENT, BENCH_TOKEN } from './rate-limit-scenario.js';
import { seedBenchDatabase } from './seed-bench-database.js';
import { machineCpuSeconds, postmasterPid, processCpuSeconds, serverTreeCpuSeconds } from './server-cpu.js';

const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));
const USAGE_PRELOAD = fileURLToPath(new URL('./report-process-usage.mjs', import.meta.url));
const MINUTE_MS = 60_000;
/** Users per bulk request: the CLI's default batch, Dynamic's most. */
const BATCH = 50;
/** Real milliseconds between two looks at the emulator's counters and the processes' CPU. */
const SAMPLE_MS = 250;
/** Chunks of the full pass per worker: enough that the queue, not one chunk, sets the end. */
const CHUNKS_PER_WORKER = 4;

/** The scale-out runs of issue 17: the same job worked by 1, 2, 4, 8 processes, each from its own loopback address. */
export interface ScaleOutScenario {
  /** Process counts to run, e.g. [1, 2, 4, 8]: `run` plus N-1 `worker`s. */
  workers: readonly number[];
  /** The emulator's per-IP bulk limit, and each process's `--rate-limit`, per (scaled) minute. */
  perIpPerMinute: number;
  /** The emulator's environment limit, and every process's `--environment-rate-limit`, per (scaled) minute. */
  environmentPerMinute: number;
  /** Speed-up of the clock: the CLI's through DYNAMIC_MIGRATE_BENCH_CLOCK, the emulator's windows 60000/factor ms. */
  factor: number;
  /** Scaled minutes of work each N is sized for, at its target rate. */
  minutes: number;
  /** Any database of the bench's PostgreSQL server: the scenario creates its own beside it. */
  databaseUrl: string;
  mappingFile: string;
  workDir: string;
  log: (message: string) => void;
}

/** One N of the scenario. */
export interface ScaleOutRun {
  workers: number;
  /** min(N × L, E): bulk requests per scaled minute the limits allow together. */
  allowedPerMinute: number;
  /** What the limits allow, in users: allowedPerMinute × 50. */
  targetUsersPerMinute: number;
  /** Users the emulator stored: the whole job. */
  users: number;
  /** Users of the source the mapping selects: each must be stored exactly once (`users` equal to it). */
  eligibleUsers: number;
  /** From the first to the last bulk request the emulator saw, in real seconds and scaled minutes. */
  wallSeconds: number;
  wallMinutes: number;
  /** users / wallMinutes: start-up skew and the drain at the end included. */
  wholeRunUsersPerMinute: number;
  /** The steady part (see {@link steadyPart}), in scaled minutes, and the users stored in it per scaled minute. */
  steadyMinutes: number;
  usersPerMinute: number;
  /** usersPerMinute / targetUsersPerMinute. */
  fraction: number;
  /** Bulk requests answered 429 by the per-IP limit, and requests (any endpoint) by the environment limit. */
  ipRateLimited: number;
  environmentRateLimited: number;
  /** The most bulk requests of one address in one window of the per-IP limit: at most L. */
  peakPerIpWindow: number;
  /**
   * Bulk requests each process had granted in the steady part, fewest and most: under the
   * environment's limit the processes share E, and how evenly shows here.
   */
  sendsPerProcess: { min: number; max: number } | undefined;
  /** CPU seconds per 1,000 users, in the steady part: of the N CLI processes together, of the emulator, of PostgreSQL. */
  cpuPerThousand: { workers: number; emulator: number | undefined; postgres: number | undefined };
  /** CPU seconds per 1,000 users of the CLI processes over their whole lives (start-up, planning, drain included). */
  wholeRunWorkerCpuPerThousand: number | undefined;
  /** The most memory one CLI process had resident at once (VmHWM), in MB. */
  peakRssMB: number | undefined;
  /** The machine's busy share of all its cores in the steady part (1 = every core busy all the time). */
  machineBusy: number | undefined;
  realSeconds: number;
}

interface Sample {
  at: number;
  stats: EmulatorStats;
  workerCpu: number | undefined;
  emulatorCpu: number | undefined;
  postgresCpu: number | undefined;
  machine: { busy: number; total: number } | undefined;
}

/**
 * Runs the job once per N against a fresh emulator (`--rate-limit L --environment-rate-limit E`,
 * windows of 60000/factor ms) and a fresh state database: `run --state-url` on 127.0.0.2 and N-1
 * `worker`s on 127.0.0.3..., every process at `--rate-limit L --environment-rate-limit E` on the
 * scaled clock. Each N gets about `minutes` scaled minutes of users at min(N × L, E): its own slice of one seeded
 * source (a filter on the key in a copy of the mapping), so every run is complete and can be checked.
 */
export async function runScaleOutScenario(scenario: ScaleOutScenario): Promise<ScaleOutRun[]> {
  const { factor, perIpPerMinute: perIp, environmentPerMinute: environment } = scenario;
  const allowed = (n: number) => Math.min(n * perIp, environment);
  // 1% of the seeded users are soft-deleted (filtered out), every other one is valid for the mapping.
  const rowsFor = (n: number) => Math.ceil((allowed(n) * BATCH * scenario.minutes) / 0.99);
  const server = new URL(scenario.databaseUrl);
  const urlOf = (database: string) => Object.assign(new URL(server.href), { pathname: `/${database}` }).href;
  const admin = new pg.Pool({ connectionString: scenario.databaseUrl, max: 1 });
  const recreate = async (database: string) => {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`create database ${database}`);
  };
  const sourceDb = 'dm_bench_scale_source';
  try {
    const rows = Math.max(...scenario.workers.map(rowsFor));
    scenario.log(`scale-out: seeding ${rows} users into database ${sourceDb}`);
    await recreate(sourceDb);
    await seedBenchDatabase(urlOf(sourceDb), rows);
    const postmaster = await postmasterPid(scenario.databaseUrl).catch(() => undefined);
    const source = new pg.Pool({ connectionString: urlOf(sourceDb), max: 1 });
    const eligibleOf = async (n: number) =>
      Number((await source.query<{ n: number }>('select count(*)::int as n from users where deleted_at is null and id <= $1', [rowsFor(n)])).rows[0]?.n);
    const eligible = new Map<number, number>();
    try {
      for (const n of scenario.workers) eligible.set(n, await eligibleOf(n));
    } finally {
      await source.end();
    }
    const { spec } = await loadMappingFile(scenario.mappingFile);
    const results: ScaleOutRun[] = [];
    for (const n of scenario.workers) {
      const mappingFile = join(scenario.workDir, `scale-out-${n}.json`);
      writeFileSync(mappingFile, JSON.stringify({ ...spec, source: { ...spec.source, filter: { sql: `deleted_at is null and id <= ${rowsFor(n)}` } } }));
      const stateDb = `dm_bench_scale_state_${n}`;
      await recreate(stateDb);
      scenario.log(`scale-out: ${n} process(es), ${rowsFor(n)} rows, L ${perIp}/min per IP, E ${environment}/min, clock x${factor}`);
      try {
        const result = await runOnce(scenario, { n, mappingFile, sourceUrl: urlOf(sourceDb), stateUrl: urlOf(stateDb), rows: rowsFor(n), allowed: allowed(n), postmaster });
        results.push({ ...result, eligibleUsers: eligible.get(n) ?? Number.NaN });
      } finally {
        await admin.query(`drop database if exists ${stateDb} with (force)`);
      }
    }
    return results;
  } finally {
    await admin.query(`drop database if exists ${sourceDb} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

interface OneRun {
  n: number;
  mappingFile: string;
  sourceUrl: string;
  stateUrl: string;
  rows: number;
  allowed: number;
  postmaster: number | undefined;
}

async function runOnce(scenario: ScaleOutScenario, run: OneRun): Promise<Omit<ScaleOutRun, 'eligibleUsers'>> {
  const { factor, perIpPerMinute: perIp, environmentPerMinute: environment } = scenario;
  const windowMs = MINUTE_MS / factor;
  const emulator = await spawnEmulator({
    token: BENCH_TOKEN,
    args: ['--rate-limit', String(perIp), '--environment-rate-limit', String(environment), '--rate-window-ms', String(windowMs), '--no-rate-limit-headers'],
  });
  const dir = join(scenario.workDir, `scale-out-${run.n}`);
  mkdirSync(dir, { recursive: true });
  const addresses = Array.from({ length: run.n }, (_, i) => `127.0.0.${i + 2}`);
  const origin = Date.now();
  const common = [
    '--mapping', run.mappingFile, '--job', `scale-${run.n}`, '--quiet', '--log-format', 'json', '--lag', '0',
    '--rate-limit', String(perIp), '--environment-rate-limit', String(environment),
    '--checkpoint-dir', join(dir, 'checkpoints'), '--reports-dir', join(dir, 'reports'),
  ];
  const nodeOptions = [process.env.NODE_OPTIONS, `--import ${JSON.stringify(USAGE_PRELOAD)}`].filter(Boolean).join(' ');
  const children: Array<{ address: string; child: ChildProcess; stderr: string[]; usageFile: string }> = [];
  const orphanGuard = () => children.forEach(({ child }) => child.kill('SIGKILL'));
  process.once('exit', orphanGuard);
  const realStart = performance.now();
  const samples: Sample[] = [];
  let sampling = true;
  try {
    for (const [index, address] of addresses.entries()) {
      const usageFile = join(dir, `${address}.usage.json`);
      const args = index === 0
        ? ['run', ...common, '--rows-per-chunk', String(Math.max(500, Math.ceil(run.rows / (run.n * CHUNKS_PER_WORKER)))), '--local-address', address]
        : ['worker', ...common, '--local-address', address];
      // Secrets and URLs through the environment, never argv (`ps` shows argv).
      const child = spawn(BIN, args, {
        env: {
          ...process.env, NODE_OPTIONS: nodeOptions, BENCH_USAGE_FILE: usageFile,
          DATABASE_URL: run.sourceUrl, DYNAMIC_MIGRATE_STATE_URL: run.stateUrl, DYNAMIC_API_URL: emulator.baseUrl,
          DYNAMIC_ENVIRONMENT_ID: BENCH_ENVIRONMENT, DYNAMIC_API_TOKEN: BENCH_TOKEN, DYNAMIC_MIGRATE_BENCH_CLOCK: `${origin}:${factor}`,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const stderr: string[] = [];
      child.stderr?.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
      children.push({ address, child, stderr, usageFile });
    }
    const exits = children.map(({ child }) => once(child, 'exit').then(([code]) => code as number | null));
    const sampler = (async () => {
      while (sampling) {
        samples.push(await sample(emulator, children.map(({ child }) => child.pid), run.postmaster));
        await sleep(SAMPLE_MS);
      }
    })();
    // Sized for `minutes` scaled minutes: far more than that means the run is stuck.
    const timer = new AbortController();
    const deadline = sleep(Math.max(120_000, 4 * scenario.minutes * windowMs), 'timeout' as const, { signal: timer.signal }).catch(() => 'cancelled' as const);
    const outcome = await Promise.race([Promise.all(exits), deadline]);
    timer.abort();
    sampling = false;
    await sampler;
    // For a reader of a surprising figure: the counters as they went, and what each process said.
    writeFileSync(join(dir, 'samples.json'), JSON.stringify(samples.map((s) => ({ ...s, at: s.at - realStart }))));
    for (const { address, stderr } of children) writeFileSync(join(dir, `${address}.log`), stderr.join(''));
    if (!Array.isArray(outcome)) throw new Error(`scale-out with ${run.n} process(es) did not finish in time`);
    outcome.forEach((code, index) => {
      // 3: finished, with rows rejected or failed (reported): the job is still complete.
      if (code !== 0 && code !== 3) throw new Error(`process on ${children[index]?.address} exited with code ${code}:\n${children[index]?.stderr.join('').slice(-2000)}`);
    });
    samples.push(await sample(emulator, [], run.postmaster));
    const usages = children.map(({ usageFile }) => JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuSeconds: number; peakRssKiB: number | null });
    const wholeRunCpu = usages.reduce((sum, usage) => sum + usage.cpuSeconds, 0);
    const peaks = usages.map((usage) => usage.peakRssKiB).filter((peak) => peak !== null);
    const peakRssMB = peaks.length === usages.length ? Math.max(...peaks) / 1024 : undefined;
    return summarise(run, addresses, samples, { perIp, windowMs, wholeRunCpu, peakRssMB, realSeconds: (performance.now() - realStart) / 1000 });
  } finally {
    sampling = false;
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    process.off('exit', orphanGuard);
    await emulator.close();
  }
}

async function sample(emulator: EmulatorProcess, pids: ReadonlyArray<number | undefined>, postmaster: number | undefined): Promise<Sample> {
  const cpus = pids.map((pid) => (pid === undefined ? undefined : processCpuSeconds(pid)));
  return {
    at: performance.now(),
    stats: await emulator.stats(),
    // A process that has exited reads undefined: the steady part ends before any does.
    workerCpu: cpus.some((cpu) => cpu === undefined) ? undefined : cpus.reduce<number>((a, b) => a + (b ?? 0), 0),
    emulatorCpu: emulator.pid === undefined ? undefined : processCpuSeconds(emulator.pid),
    postgresCpu: postmaster === undefined ? undefined : serverTreeCpuSeconds(postmaster),
    machine: machineCpuSeconds(),
  };
}

/**
 * The steady part of a run: whole windows of the limits (a scaled minute each), from the moment
 * enough processes send to reach min(N × L, E) (all N when the per-IP limits bind, ceil(E / L) when
 * the environment's does) for as many windows as fit before the first process sent its last request
 * (the queue is empty: from then on fewer than N are sending). It starts at the last sample before
 * the first request of the last of those to start, so that process's first burst is inside.
 *
 * Whole windows, because both of the emulator's limits are sliding windows: any span of k windows
 * holds at most k × the limit per IP and in all, however the processes' sends bunch up (at the
 * per-IP limit each sends its L in a burst as its slots free, then waits), so the figure can never
 * read above 100% by where the span starts. Throughput: the users the emulator stored between the
 * two samples that bound the span, divided by the whole span (k scaled minutes), which the later
 * sample may fall up to one sample interval short of.
 */
function steadyPart(samples: readonly Sample[], addresses: readonly string[], windowMs: number, needed: number): { from: Sample; to: Sample; windows: number } | undefined {
  const bulk = (s: Sample, address: string) => s.stats.clients[address]?.granted ?? 0;
  const senders = addresses.filter((address) => bulk(samples.at(-1)!, address) > 0);
  const firstIndex = senders.map((address) => samples.findIndex((s) => bulk(s, address) > 0)).sort((a, b) => a - b);
  const enough = firstIndex[needed - 1];
  if (enough === undefined) return undefined;
  const from = samples[Math.max(0, enough - 1)]!;
  const lastAt = senders.map((address) => {
    const final = bulk(samples.at(-1)!, address);
    return samples.find((s) => bulk(s, address) === final)!.at;
  });
  const windows = Math.floor((Math.min(...lastAt) - from.at) / windowMs);
  const to = samples.findLast((s) => s.at <= from.at + windows * windowMs);
  return windows >= 1 && to && to.at > from.at ? { from, to, windows } : undefined;
}

function summarise(
  run: OneRun, addresses: readonly string[], samples: readonly Sample[],
  context: { perIp: number; windowMs: number; wholeRunCpu: number; peakRssMB: number | undefined; realSeconds: number },
): Omit<ScaleOutRun, 'eligibleUsers'> {
  const last = samples.at(-1)!.stats;
  const bulkTotal = (s: Sample) => s.stats.bulkRequests;
  const firstBulk = samples.find((s) => bulkTotal(s) > 0)?.at ?? 0;
  const lastBulk = samples.find((s) => bulkTotal(s) === last.bulkRequests)?.at ?? 0;
  const minutesBetween = (from: number, to: number) => (to - from) / context.windowMs;
  const wallMinutes = minutesBetween(firstBulk, lastBulk);
  // Processes it takes to reach the binding limit: all N under the per-IP limits, fewer under the environment's.
  const needed = Math.min(run.n, Math.ceil(run.allowed / context.perIp));
  const steady = steadyPart(samples, addresses, context.windowMs, needed);
  const sendsInSteady = steady ? addresses.map((address) => (steady.to.stats.clients[address]?.granted ?? 0) - (steady.from.stats.clients[address]?.granted ?? 0)) : [];
  const steadyMinutes = steady?.windows ?? 0;
  const steadyUsers = steady ? steady.to.stats.usersStored - steady.from.stats.usersStored : 0;
  const usersPerMinute = steadyMinutes > 0 ? steadyUsers / steadyMinutes : 0;
  const perThousand = (pick: (s: Sample) => number | undefined) => {
    const a = steady && pick(steady.from);
    const b = steady && pick(steady.to);
    return a === undefined || b === undefined || steadyUsers === 0 ? undefined : ((b - a) / steadyUsers) * 1000;
  };
  const busy = steady?.from.machine && steady.to.machine
    ? (steady.to.machine.busy - steady.from.machine.busy) / (steady.to.machine.total - steady.from.machine.total)
    : undefined;
  const clients = addresses.map((address) => last.clients[address]);
  const targetUsersPerMinute = run.allowed * BATCH;
  return {
    workers: run.n,
    allowedPerMinute: run.allowed,
    targetUsersPerMinute,
    users: last.usersStored,
    wallSeconds: (lastBulk - firstBulk) / 1000,
    wallMinutes,
    wholeRunUsersPerMinute: wallMinutes > 0 ? last.usersStored / wallMinutes : 0,
    steadyMinutes,
    usersPerMinute,
    fraction: usersPerMinute / targetUsersPerMinute,
    ipRateLimited: clients.reduce((sum, client) => sum + (client?.ipRateLimited ?? 0), 0),
    environmentRateLimited: last.environmentRateLimited,
    peakPerIpWindow: Math.max(0, ...clients.map((client) => client?.peakInWindow ?? 0)),
    sendsPerProcess: sendsInSteady.length ? { min: Math.min(...sendsInSteady), max: Math.max(...sendsInSteady) } : undefined,
    cpuPerThousand: { workers: perThousand((s) => s.workerCpu) ?? Number.NaN, emulator: perThousand((s) => s.emulatorCpu), postgres: perThousand((s) => s.postgresCpu) },
    wholeRunWorkerCpuPerThousand: last.usersStored === 0 ? undefined : (context.wholeRunCpu / last.usersStored) * 1000,
    peakRssMB: context.peakRssMB,
    machineBusy: busy,
    realSeconds: context.realSeconds,
  };
}
