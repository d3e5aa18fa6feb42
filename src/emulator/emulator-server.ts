import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientRateLimit } from './client-rate-limit.js';
import { resolveEmulatorOptions, type EmulatorOptions } from './emulator-options.js';
import { createCounters, statsSnapshot, type EmulatorStats } from './emulator-stats.js';
import { FaultInjector } from './fault-injector.js';
import { sendJson } from './http-io.js';
import { mulberry32 } from '../shared/mulberry32.js';
import type { RouteContext } from './routes/route-context.js';
import { API_PREFIX, route } from './routes/router.js';
import { createStateSaver, loadStateFile } from './state-file.js';
import { UserStore } from './user-store.js';

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:4010/api/v0`: what the loader uses as its base URL. */
  baseUrl: string;
  port: number;
  /** Stops accepting, ends open connections, waits for the last state write. */
  close(): Promise<void>;
  stats(): EmulatorStats;
}

/**
 * Starts the Dynamic API emulator: a real HTTP server speaking the bulk-create-users contract,
 * with Dynamic's per-IP rate limit, an optional per-environment one, and optional injected faults. Loads `stateFile` first (a
 * corrupt one throws ConfigError).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveEmulatorOptions(options);
  const content = config.stateFile ? await loadStateFile(config.stateFile) : undefined;
  const store = new UserStore({ now: config.now }, content);
  const stateFile = config.stateFile;
  const save = stateFile ? createStateSaver(stateFile, () => store.content()) : () => Promise.resolve();
  const ctx: RouteContext = {
    store,
    access: { token: config.token, environmentIds: config.environmentIds },
    limiter: new ClientRateLimit({ perWindow: config.rateLimitPerMinute, windowMs: config.rateLimitWindowMs, now: config.now }),
    environmentLimiter: new ClientRateLimit({ perWindow: config.environmentRateLimit, windowMs: config.rateLimitWindowMs, now: config.now }),
    faults: new FaultInjector(config, mulberry32(config.seed)),
    counters: createCounters(),
    rateLimitHeaders: config.rateLimitHeaders,
    save,
    sleep: (ms) => sleep(ms),
    logger: config.logger,
  };

  const server = createServer((req, res) => {
    route(ctx, req, res).catch((error: unknown) => {
      config.logger?.warn({ err: error }, 'emulator: request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal emulator error', code: 'internal_error' });
      else res.destroy();
    });
  });
  const port = await listen(server, config.port, config.host);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const baseUrl = `http://${host}:${port}${API_PREFIX}`;
  config.logger?.info({ baseUrl, usersLoaded: store.size, seed: config.seed }, 'emulator: listening');

  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    stats: () => statsSnapshot(ctx.counters, store.size),
    // Idempotent: a test's afterAll and a signal handler may both close.
    close: () => (closing ??= shutdown(server, save)),
  };
}

async function shutdown(server: Server, save: () => Promise<void>): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.closeAllConnections();
  await closed;
  await save();
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
