import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { takeoverTimings } from '../../../src/scale/takeover-timings.js';

describe('takeoverTimings', () => {
  it('keeps the worst case (lease + two maintenance intervals + one poll) within the takeover time, with room for latency', () => {
    for (const takeoverMs of [5_000, 6_000, 7_500, 15_000, 30_000, 120_000, 600_000, 3_600_000]) {
      const { leaseSeconds, maintenanceIntervalSeconds, pollingMs } = takeoverTimings(takeoverMs);
      expect(Number.isInteger(leaseSeconds)).toBe(true); // pg-boss stores expire_seconds as an integer
      expect(leaseSeconds).toBeGreaterThanOrEqual(2);
      expect(maintenanceIntervalSeconds).toBeGreaterThanOrEqual(1); // pg-boss refuses less
      expect(pollingMs).toBeGreaterThanOrEqual(500); // pg-boss's minimum polling interval
      const worstMs = leaseSeconds * 1000 + 2 * maintenanceIntervalSeconds * 1000 + pollingMs;
      expect(worstMs).toBeLessThanOrEqual(takeoverMs * 0.9);
    }
  });

  it('gives the two-minute default a lease long enough that heartbeats every ~20 s keep a chunk', () => {
    expect(takeoverTimings(120_000)).toEqual({ leaseSeconds: 82, maintenanceIntervalSeconds: 12, pollingMs: 2000 });
  });

  it('refuses a takeover time with no room for a lease of whole seconds', () => {
    expect(() => takeoverTimings(4_999)).toThrow(ConfigError);
    expect(() => takeoverTimings(Number.NaN)).toThrow(ConfigError);
  });
});
