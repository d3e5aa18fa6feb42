import { describe, expect, it } from 'vitest';
import { SampleReservoir } from '../../../src/report/sample-reservoir.js';

/** A small deterministic generator (mulberry32), so the pick is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SampleReservoir', () => {
  it('never holds more than its size, however many items are offered', () => {
    const reservoir = new SampleReservoir<number>(20, seeded(1));
    for (let i = 0; i < 100_000; i++) reservoir.offer(() => i);
    expect(reservoir.items()).toHaveLength(20);
    expect(reservoir.seen).toBe(100_000);
    expect(new Set(reservoir.items()).size).toBe(20);
  });

  it('keeps everything while under its size, and only builds the items it keeps', () => {
    const reservoir = new SampleReservoir<number>(20, seeded(2));
    let built = 0;
    for (let i = 0; i < 10_000; i++) reservoir.offer(() => (built++, i));
    expect(built).toBeLessThan(400); // ~ 20 * ln(10000 / 20) + 20 ≈ 144
    const small = new SampleReservoir<number>(20);
    for (let i = 0; i < 5; i++) small.offer(() => i);
    expect(small.items()).toEqual([0, 1, 2, 3, 4]);
  });

  it('samples uniformly: late items are as likely as early ones', () => {
    const random = seeded(3);
    let late = 0;
    for (let trial = 0; trial < 400; trial++) {
      const reservoir = new SampleReservoir<number>(10, random);
      for (let i = 0; i < 1000; i++) reservoir.offer(() => i);
      late += reservoir.items().filter((item) => item >= 500).length;
    }
    expect(late / 4000).toBeGreaterThan(0.45);
    expect(late / 4000).toBeLessThan(0.55);
  });
});
