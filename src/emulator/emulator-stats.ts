/** Counters served at `GET /__emulator/stats`, so tests can prove a 429 or a fault really happened. */
export interface EmulatorStats {
  /** Every HTTP request received. */
  requests: number;
  /** Requests to `POST .../users/bulk`, whatever their answer. */
  bulkRequests: number;
  /** Bulk requests answered 429, whatever the reason: the per-IP limit, the environment limit, spurious. */
  rateLimited: number;
  /** Of those, the spurious 429s (`spurious429Rate`). */
  spurious429s: number;
  /**
   * Requests answered 429 by the environment limit (`environmentRateLimit`), bulk and developer
   * endpoints alike: the bulk ones are in `rateLimited` too.
   */
  environmentRateLimited: number;
  /** Bulk requests sent with `?upsert=true` (whatever their answer). */
  upsertRequests: number;
  /** Bulk requests answered with an injected 500/502/503. */
  injectedFailures: number;
  /** Bulk requests whose users were stored but whose connection was destroyed unanswered. */
  droppedConnections: number;
  /** Users currently stored, over all environments. */
  usersStored: number;
  /**
   * Per client IP (the connection's remote address, `::ffff:` removed from IPv4-mapped ones), of
   * the requests to `/api/v0/environments/...`: which addresses the emulator saw, and how each
   * fared against the limits. Ordered by address.
   */
  clients: Record<string, ClientStats>;
}

/** What one client IP did: the per-IP limit counts each apart, the environment limit all together. */
export interface ClientStats {
  /** Requests to the environment routes, bulk and developer endpoints alike. */
  requests: number;
  /** Of those, `POST .../users/bulk`. */
  bulkRequests: number;
  /** Bulk requests both limits let through (each took a slot of the per-IP window). */
  granted: number;
  /**
   * Most bulk requests of this IP inside one window of the per-IP limit, counted as each is granted:
   * never above `rateLimitPerMinute`. 0 when that limit is off (nothing is counted then).
   */
  peakInWindow: number;
  /** Bulk requests answered 429 by the per-IP limit. */
  ipRateLimited: number;
  /** Requests answered 429 by the environment limit. */
  environmentRateLimited: number;
}

/** The live counters behind {@link EmulatorStats}. */
export interface EmulatorCounters extends Omit<EmulatorStats, 'usersStored' | 'clients'> {
  clients: Map<string, ClientStats>;
}

export function createCounters(): EmulatorCounters {
  return {
    requests: 0, bulkRequests: 0, rateLimited: 0, spurious429s: 0, environmentRateLimited: 0,
    upsertRequests: 0, injectedFailures: 0, droppedConnections: 0, clients: new Map(),
  };
}

/** The counters of `client`, created at its first request. */
export function clientCounters(counters: EmulatorCounters, client: string): ClientStats {
  let stats = counters.clients.get(client);
  if (!stats) {
    stats = { requests: 0, bulkRequests: 0, granted: 0, peakInWindow: 0, ipRateLimited: 0, environmentRateLimited: 0 };
    counters.clients.set(client, stats);
  }
  return stats;
}

/** A copy of the counters as they stand, for the stats endpoint and `RunningEmulator.stats()`. */
export function statsSnapshot(counters: EmulatorCounters, usersStored: number): EmulatorStats {
  const { clients, ...totals } = counters;
  const byAddress = [...clients].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...totals, usersStored, clients: Object.fromEntries(byAddress.map(([client, stats]) => [client, { ...stats }])) };
}
