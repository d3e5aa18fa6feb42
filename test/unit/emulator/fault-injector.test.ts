import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../src/emulator/fault-injector.js';
import { mulberry32 as createPrng } from '../../../src/shared/mulberry32.js';

const rates = { failureRate: 0.3, latencyRate: 0.2, latencyMs: 50, dropRate: 0.1, spurious429Rate: 0 };

describe('FaultInjector', () => {
  it('gives the same plans for the same seed, different ones for another', () => {
    const plans = (seed: number) => {
      const faults = new FaultInjector(rates, createPrng(seed));
      return Array.from({ length: 50 }, () => faults.next());
    };
    expect(plans(7)).toEqual(plans(7));
    expect(plans(7)).not.toEqual(plans(8));
  });

  it('injects roughly at the given rates, with 500, 502 and 503', () => {
    const faults = new FaultInjector(rates, createPrng(1));
    const plans = Array.from({ length: 4000 }, () => faults.next());
    const failed = plans.filter((p) => p.failStatus !== null);
    expect(failed.length / 4000).toBeCloseTo(0.3, 1);
    expect(new Set(failed.map((p) => p.failStatus))).toEqual(new Set([500, 502, 503]));
    expect(plans.filter((p) => p.drop).length / 4000).toBeCloseTo(0.1, 1);
    expect(plans.filter((p) => p.delayMs === 50).length / 4000).toBeCloseTo(0.2, 1);
  });

  it('never injects at rate 0 and always at rate 1', () => {
    const never = new FaultInjector({ failureRate: 0, latencyRate: 0, latencyMs: 50, dropRate: 0, spurious429Rate: 0 }, createPrng(3));
    const always = new FaultInjector({ failureRate: 1, latencyRate: 1, latencyMs: 50, dropRate: 1, spurious429Rate: 0 }, createPrng(3));
    for (let i = 0; i < 200; i++) {
      expect(never.next()).toEqual({ spurious429: false, failStatus: null, delayMs: 0, drop: false });
      expect(always.next()).toMatchObject({ failStatus: expect.any(Number), delayMs: 50, drop: true });
    }
  });
});
