/**
 * mulberry32: a tiny seeded PRNG. Fault injection draws from it so a test run with `--seed 7`
 * injects the same faults in the same order every time.
 *
 * @returns a function yielding floats in [0, 1)
 */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
