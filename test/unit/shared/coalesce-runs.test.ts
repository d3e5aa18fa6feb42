import { describe, expect, it } from 'vitest';
import { coalesceRuns } from '../../../src/shared/coalesce-runs.js';

describe('coalesceRuns', () => {
  it('runs one at a time, and callers arriving during a run share exactly one follow-up run', async () => {
    const started: number[] = [];
    let release: (() => void) | undefined;
    const run = coalesceRuns(() => {
      started.push(started.length + 1);
      return new Promise<void>((resolve) => (release = resolve));
    });
    const first = run();
    const second = run();
    const third = run();
    expect(second).toBe(third);
    expect(started).toEqual([1]); // the follow-up waits for the run under way
    release?.();
    await first;
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    release?.();
    await second;
    expect(started).toEqual([1, 2]);
  });

  it('starts the follow-up even when the run before it failed', async () => {
    let calls = 0;
    const run = coalesceRuns(async () => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
    });
    const first = run();
    const second = run();
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
