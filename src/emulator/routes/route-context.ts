import type { AccessPolicy } from '../access-check.js';
import type { ClientRateLimit } from '../client-rate-limit.js';
import type { EmulatorLogger } from '../emulator-options.js';
import type { EmulatorCounters } from '../emulator-stats.js';
import type { FaultInjector } from '../fault-injector.js';
import type { UserStore } from '../user-store.js';

/** What the route handlers share: the store, the policies and the edges (save, sleep, log). */
export interface RouteContext {
  store: UserStore;
  access: AccessPolicy;
  /** The per-IP limit of bulk requests, keyed by client IP. */
  limiter: ClientRateLimit;
  /** The environment limit of every environment route, keyed by environment id (all IPs together). */
  environmentLimiter: ClientRateLimit;
  faults: FaultInjector;
  counters: EmulatorCounters;
  /** Send the courtesy `RateLimit-*` headers (Dynamic documents none). */
  rateLimitHeaders: boolean;
  /** Persists the store; resolves once the latest change is on disk (no-op without a state file). */
  save: () => Promise<void>;
  sleep: (ms: number) => Promise<void>;
  logger?: EmulatorLogger;
}
