import { describe, expect, it } from 'vitest';
import { accountedFor, combineSummaries, emptyCounts } from '../../../src/pipeline/run-summary.js';
import type { RunSummary } from '../../../src/pipeline/run-summary.js';

const summary = (over: Partial<RunSummary>): RunSummary => ({
  ...emptyCounts(),
  job: 'j',
  dryRun: false,
  interrupted: false,
  durationMs: 10,
  addsUp: true,
  warnings: {},
  ...over,
});

describe('unchanged rows and combined passes', () => {
  it('counts unchanged rows as accounted for', () => {
    expect(accountedFor({ ...emptyCounts(), extracted: 5, updated: 2, unchanged: 3 })).toBe(5);
  });

  it('adds counts and warnings, keeps the first fatal error and redoes the add-up check', () => {
    const changes = summary({ extracted: 10, updated: 6, unchanged: 4, warnings: { 'a b': 1 } });
    const children = summary({ extracted: 3, updated: 2, created: 1, warnings: { 'a b': 2, 'c d': 1 }, fatalError: 'boom', interrupted: true });
    const combined = combineSummaries(changes, children);
    expect(combined).toMatchObject({ extracted: 13, updated: 8, created: 1, unchanged: 4, addsUp: true, fatalError: 'boom', interrupted: true, durationMs: 20 });
    expect(combined.warnings).toEqual({ 'a b': 3, 'c d': 1 });
  });

  it('a pass that did not add up spoils the whole run', () => {
    const broken = summary({ extracted: 2, updated: 1, addsUp: false });
    expect(combineSummaries(summary({}), broken).addsUp).toBe(false);
    expect(combineSummaries(summary({}), summary({})).fatalError).toBeUndefined();
  });
});
