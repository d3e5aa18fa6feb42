import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { openEnvironmentBudget } from '../../src/scale/environment-budget.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { waitUntil } from '../helpers/wait-until.js';

// The environment budget shared by separate processes through a real PostgreSQL. The library
// counts on the wall clock, so a scaled clock is not an option: the span is shortened instead
// (`spanMs` 6 s for a minute, 200 ms windows for 1 s ones: the same 30 windows a span as in production).
const PER_SPAN = 300;
const WINDOW_MS = 200;
const SPAN_MS = 6_000;
const RUN_MS = 14_000;
const CHILD = fileURLToPath(new URL('./scale-budget-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** The most grants inside any span of `spanMs` (half-open), over sorted times. */
function busiestSpan(times: number[], spanMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= spanMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

function spawnHammer(concurrency: number, clockSkewMs = 0) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...[PER_SPAN, WINDOW_MS, SPAN_MS, RUN_MS, concurrency].map(String)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_NO_WARNINGS: '1', STATE_URL: database.url, CLOCK_SKEW_MS: String(clockSkewMs) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe('openEnvironmentBudget', () => {
  it('keeps four processes together within the budget in every rolling span, two of them with clocks 90 s off, and gives it out', async () => {
    // Machines whose clocks are off by more than a minute: the budget must not depend on them agreeing.
    const hammers = [0, 0, 90_000, -90_000].map((skew) => spawnHammer(6, skew));
    await waitUntil(async () => hammers.every((hammer) => hammer.lines.includes('ready')), 60_000);
    for (const hammer of hammers) hammer.child.stdin.write('go\n');
    expect(await Promise.all(hammers.map((hammer) => hammer.exited))).toEqual([0, 0, 0, 0]);

    const perProcess = hammers.map((hammer) => JSON.parse(hammer.lines.find((line) => line.startsWith('grants '))!.slice('grants '.length)) as number[]);
    const all = perProcess.flat().sort((x, y) => x - y);
    expect(busiestSpan(all, SPAN_MS)).toBeLessThanOrEqual(PER_SPAN);
    // Demand exceeded the budget the whole time, so the budget, not the hammers, set the pace:
    // more than one span's worth went out in all. (Not asserted: a share for every process, which
    // the budget does not promise, nor a count per window, which a busy machine's late stamps blur.)
    expect(all.length).toBeGreaterThan(PER_SPAN);
  });

  it('shares one budget between independent pools, even when one of them is the caller’s own', async () => {
    const own = new pg.Pool({ connectionString: database.url, max: 2 });
    const budgets = await Promise.all([
      openEnvironmentBudget(own, { perMinute: 60, windowMs: 1000, spanMs: 60_000, key: 'shared' }),
      openEnvironmentBudget(database.url, { perMinute: 60, windowMs: 1000, spanMs: 60_000, key: 'shared' }),
      openEnvironmentBudget(database.url, { perMinute: 60, windowMs: 1000, spanMs: 60_000, key: 'another environment' }),
    ]);
    try {
      // 60 a minute in 1 s windows is 0 a window, so the windows grow to 1.03 s with 1 grant each.
      expect(budgets[0]!.windows.perWindow).toBe(1);
      const stop = AbortSignal.timeout(2_500);
      setMaxListeners(20, stop); // twelve askers wait on it at once
      const grants = await Promise.all(
        budgets.map(async (budget) => {
          let count = 0;
          const askers = Array.from({ length: 4 }, async () => {
            while (!stop.aborted) {
              await budget.acquire(stop).then(
                () => count++,
                () => {},
              );
            }
          });
          await Promise.all(askers);
          return count;
        }),
      );
      // The first two share one window of one grant: about one grant a window between them, not each.
      expect(grants[0]! + grants[1]!).toBeLessThanOrEqual(4);
      expect(grants[0]! + grants[1]!).toBeGreaterThan(0);
      expect(grants[2]).toBeGreaterThan(0);
    } finally {
      await Promise.all(budgets.map((budget) => budget.close()));
      await own.end();
    }
  });

  it('rides out a state database that drops every connection and refuses new ones for a while, and gives up after unavailableMs', async () => {
    const errors: Error[] = [];
    const budget = await openEnvironmentBudget(database.url, { perMinute: 3000, key: 'outage', onError: (error) => errors.push(error) });
    const short = await openEnvironmentBudget(database.url, { perMinute: 3000, key: 'outage', unavailableMs: 200 });
    const name = new URL(database.url).pathname.slice(1);
    const server = new pg.Client({ connectionString: inject('databaseUrl') });
    await server.connect();
    try {
      await budget.acquire();
      await server.query(`alter database ${name} allow_connections false`);
      await server.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      const during = budget.acquire();
      // The one with a short patience gives up, naming the database: a worker would stop sending.
      await expect(short.acquire()).rejects.toThrow(/\(state database \S+:\d+\/test_[0-9a-f]+\)/);
      await waitUntil(async () => errors.length > 0, 30_000);
      await server.query(`alter database ${name} allow_connections true`);
      await during;
      expect(errors[0]).toBeInstanceOf(CheckpointError);
    } finally {
      await server.query(`alter database ${name} allow_connections true`).catch(() => {});
      await server.end();
      await Promise.all([budget.close(), short.close()]);
    }
  });

  it('names the state database in its errors, never its password', async () => {
    const secret = 'Sup3r-Secret-Passw0rd';
    const error = await openEnvironmentBudget(`postgres://migrator:${secret}@127.0.0.1:1/state`, { perMinute: 2400 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain('127.0.0.1:1/state');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause) + (error as Error).stack).not.toContain(secret);
  });
});
