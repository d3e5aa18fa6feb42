import { ConfigError } from '../errors.js';

/** How pg-boss is set up so that a dead worker's chunk is free again within a given time. */
export interface TakeoverTimings {
  /** A claimed chunk's lease (pg-boss `expireInSeconds`), renewed by heartbeats every quarter of it. */
  leaseSeconds: number;
  /** pg-boss `maintenanceIntervalSeconds`: how often some live process fails the expired chunks back to `retry`. */
  maintenanceIntervalSeconds: number;
  /** How often an idle worker asks for a chunk. */
  pollingMs: number;
}

/**
 * The timings for a takeover within `takeoverAfterMs`. A worker that dies right after a renewal
 * leaves a lease of `leaseSeconds`; pg-boss notices the expired lease at the next maintenance of
 * any live process, at most two maintenance intervals later (each process ticks once per interval
 * and the database lets one of them through per interval); an idle worker then claims the chunk
 * within one polling interval. Worst case `lease + 2 × maintenance + polling`, which is kept a
 * tenth of `takeoverAfterMs` below it for query latency. 2 minutes gives an 82 s lease, 12 s
 * maintenance and 2 s polling. Below 5 s there is no room for a lease of whole seconds.
 */
export function takeoverTimings(takeoverAfterMs: number): TakeoverTimings {
  if (!Number.isFinite(takeoverAfterMs) || takeoverAfterMs < 5000) {
    throw new ConfigError(`the takeover time must be at least 5000 ms (got ${takeoverAfterMs})`);
  }
  const tenth = takeoverAfterMs / 10;
  const maintenanceMs = Math.max(1000, tenth);
  const pollingMs = Math.min(2000, Math.max(500, tenth));
  const leaseSeconds = Math.floor((takeoverAfterMs - 2 * maintenanceMs - pollingMs - tenth) / 1000);
  return { leaseSeconds, maintenanceIntervalSeconds: maintenanceMs / 1000, pollingMs };
}
