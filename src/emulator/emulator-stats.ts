/** Counters served at `GET /__emulator/stats`, so tests can prove a 429 or a fault really happened. */
export interface EmulatorStats {
  /** Every HTTP request received. */
  requests: number;
  /** Requests to `POST .../users/bulk`, whatever their answer. */
  bulkRequests: number;
  /** Bulk requests answered 429 (the limit's and the spurious ones). */
  rateLimited: number;
  /** Of those, the spurious 429s (`spurious429Rate`). */
  spurious429s: number;
  /** Bulk requests sent with `?upsert=true` (whatever their answer). */
  upsertRequests: number;
  /** Bulk requests answered with an injected 500/502/503. */
  injectedFailures: number;
  /** Bulk requests whose users were stored but whose connection was destroyed unanswered. */
  droppedConnections: number;
  /** Users currently stored, over all environments. */
  usersStored: number;
}

export type EmulatorCounters = Omit<EmulatorStats, 'usersStored'>;

export function createCounters(): EmulatorCounters {
  return { requests: 0, bulkRequests: 0, rateLimited: 0, spurious429s: 0, upsertRequests: 0, injectedFailures: 0, droppedConnections: 0 };
}
