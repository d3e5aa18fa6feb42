import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { CheckpointError, ConfigError } from '../errors.js';
import { defaultSleep } from '../load/sleep.js';
import { openStatePool, toStateError } from './state-pool.js';

/** How the budget is cut into windows; see {@link budgetWindows}. */
export interface BudgetWindows {
  windowMs: number;
  /** Requests all processes together may take in one window. */
  perWindow: number;
}

/**
 * The window size and the requests per window that keep every span of `spanMs` at or under
 * `perSpan` requests.
 *
 * Why not one window of a whole minute: Dynamic presumably counts its 3,000 a minute over a rolling
 * minute, and a fixed minute-long window lets the whole budget through at the end of one window and
 * again at the start of the next, twice the limit within a few seconds. Short windows spread it:
 * any span of `spanMs` overlaps at most `spanMs / windowMs + 1` windows, and one more if a request
 * reaches Dynamic up to a window after it was granted (a slow connect, a busy event loop). So
 * `perWindow = floor(perSpan × windowMs / (spanMs + 2 × windowMs))` never lets more than `perSpan`
 * arrive in any span: with the defaults, 2,400 a minute in 1 s windows is 38 a window, at most
 * 62 × 38 = 2,356 in any minute, and 2,280 in a minute of steady demand (95% of the budget).
 * A budget too small for one request a window gets longer windows instead.
 */
export function budgetWindows(perSpan: number, windowMs: number, spanMs: number): BudgetWindows {
  if (!Number.isInteger(perSpan) || perSpan < 3) throw new ConfigError(`the environment rate limit must be an integer of at least 3 (got ${perSpan})`);
  if (!(windowMs > 0 && spanMs >= windowMs)) throw new ConfigError(`the budget window (${windowMs} ms) must be positive and at most the span (${spanMs} ms)`);
  const window = Math.max(windowMs, Math.ceil(spanMs / (perSpan - 2)));
  return { windowMs: window, perWindow: Math.floor((perSpan * window) / (spanMs + 2 * window)) };
}

/** Requests to Dynamic's environment, counted across every process through the state database. */
export interface EnvironmentBudget {
  /**
   * Resolves when this process may send one more request to the environment; waits (up to the
   * next window) when the window is used up. Rejects with the signal's reason when `signal`
   * aborts, and with a `CheckpointError` once the state database has been unreachable for
   * `unavailableMs`.
   */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Stops granting; ends the pool if the budget opened it. */
  close(): Promise<void>;
  readonly windows: BudgetWindows;
}

/** Options of {@link openEnvironmentBudget}. */
export interface EnvironmentBudgetOptions {
  /** Most requests all processes together send within any span of `spanMs` (a minute). */
  perMinute: number;
  /**
   * What the budget is shared by: every process of one Dynamic environment must pass the same
   * key (the environment id), and only those.
   * @default 'environment'
   */
  key?: string;
  /**
   * Length of one window of the budget.
   * @default 1000
   */
  windowMs?: number;
  /**
   * The span `perMinute` applies to. Only tests change it, to run a minute's worth of windows in seconds.
   * @default 60_000
   */
  spanMs?: number;
  /**
   * Schema of the state database holding the budget's table (`environment_budget`, created by
   * rate-limiter-flexible if missing).
   * @default 'dynamic_migrate_scale'
   */
  schema?: string;
  /**
   * How long `acquire` keeps retrying an unreachable state database (a restart) before it gives up.
   * @default 120_000
   */
  unavailableMs?: number;
  /** A failed attempt that `acquire` retries, already redacted. */
  onError?: (error: Error) => void;
}

/**
 * The environment's request budget, shared through the state database (a URL or a pool) by
 * rate-limiter-flexible's `RateLimiterPostgres`: one row per window, incremented atomically by an
 * upsert, so any number of processes on any number of machines together take at most `perWindow`
 * requests per window (see {@link budgetWindows} for why that bounds every rolling minute).
 *
 * The windows are aligned to the state database's clock, not each machine's, and each window has a
 * row of its own (`<key>:<window number>`). The library alone would count in one row per key whose
 * window restarts when the first caller finds it expired by *its own* clock, so a machine whose
 * clock runs ahead would restart windows early and let more through. Here a machine's clock error
 * only shifts which window its requests count in, by the error in the offset measured from one
 * round trip (re-measured every minute), as long as it is off by less than the rows' lifetime.
 */
export async function openEnvironmentBudget(state: string | pg.Pool, options: EnvironmentBudgetOptions): Promise<EnvironmentBudget> {
  const windows = budgetWindows(options.perMinute, options.windowMs ?? 1000, options.spanMs ?? 60_000);
  const { windowMs, perWindow } = windows;
  const key = options.key ?? 'environment';
  const schema = options.schema ?? 'dynamic_migrate_scale';
  const unavailableMs = options.unavailableMs ?? 120_000;
  const onError = options.onError ?? (() => {});
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError(`the budget schema must be a lower-case SQL name (got "${schema}")`);
  const statePool = openStatePool(state, { applicationName: 'dynamic-migrate budget', max: 4 });
  const { pool } = statePool;

  const measureOffset = async () => {
    const sent = Date.now();
    const { rows } = await pool.query<{ now: string }>('select extract(epoch from clock_timestamp()) * 1000 as now');
    return Number(rows[0]?.now) - (sent + Date.now()) / 2;
  };
  let offset: number;
  let limiter: RateLimiterPostgres;
  try {
    // Two processes creating the schema at once: one of them gets a unique violation; the schema is there.
    await pool.query(`create schema if not exists ${schema}`).catch((error: { code?: string }) => {
      if (error.code !== '23505' && error.code !== '42P06') throw error;
    });
    offset = await measureOffset();
    limiter = await new Promise<RateLimiterPostgres>((resolve, reject) => {
      const created: RateLimiterPostgres = new RateLimiterPostgres(
        {
          storeClient: pool,
          storeType: 'pool',
          schemaName: schema,
          tableName: 'environment_budget',
          keyPrefix: 'dynamic-migrate',
          points: perWindow,
          // A window's row outlives its window by far, so a late caller never restarts it. The
          // library restarts a row whose expiry is past by the caller's own clock, so this is also
          // how far machines' clocks may disagree (an hour) before one of them resets windows the
          // others filled. The library deletes rows an hour after they expire: two hours of rows.
          duration: Math.max(3600, Math.ceil((2 * windowMs) / 1000)),
        },
        (error) => (error ? reject(error) : resolve(created)),
      );
    });
  } catch (error) {
    await statePool.close();
    throw toStateError(error, 'opening the environment budget', statePool);
  }

  let measuredAt = performance.now();
  let remeasuring = false;
  const now = () => {
    if (!remeasuring && performance.now() - measuredAt > 60_000) {
      remeasuring = true;
      measureOffset()
        .then((measured) => ((offset = measured), (measuredAt = performance.now())))
        .catch(() => {})
        .finally(() => (remeasuring = false));
    }
    return Date.now() + offset;
  };

  let closed = false;
  /** The latest window this process saw used up: its other waiters skip asking again. */
  let fullWindow = -1;

  const acquire = async (signal?: AbortSignal) => {
    let failingSince: number | undefined;
    for (;;) {
      signal?.throwIfAborted();
      if (closed) throw new CheckpointError('the environment budget is closed', { code: 'budget_closed' });
      const window = Math.floor(now() / windowMs);
      if (window <= fullWindow) {
        await defaultSleep((fullWindow + 1) * windowMs - now(), signal);
        continue;
      }
      try {
        await limiter.consume(`${key}:${window}`);
        return;
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          fullWindow = Math.max(fullWindow, window);
          failingSince = undefined;
          continue;
        }
        failingSince ??= performance.now();
        const failure = toStateError(error, 'taking a request from the environment budget', statePool);
        if (performance.now() - failingSince > unavailableMs) throw failure;
        onError(failure);
        await defaultSleep(Math.min(1000, windowMs), signal);
      }
    }
  };

  return {
    windows,
    acquire,
    close: async () => {
      closed = true;
      await statePool.close();
    },
  };
}
