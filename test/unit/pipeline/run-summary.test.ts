import { describe, expect, it } from 'vitest';
import { accountedFor, emptyCounts, exitCodeFor } from '../../../src/pipeline/run-summary.js';
import type { RunSummary } from '../../../src/pipeline/run-summary.js';

const summary = (overrides: Partial<RunSummary>): RunSummary => ({
  ...emptyCounts(),
  job: 'j',
  dryRun: false,
  interrupted: false,
  durationMs: 1,
  addsUp: true,
  warnings: {},
  ...overrides,
});

describe('run summary', () => {
  it('counts every outcome once', () => {
    const counts = { ...emptyCounts(), extracted: 10, created: 3, updated: 1, alreadyExisted: 1, rejected: 2, failed: 1, alreadySettled: 1, inDoubt: 1 };
    expect(accountedFor(counts)).toBe(10);
  });

  it('maps outcomes to exit codes', () => {
    expect(exitCodeFor(summary({ created: 5, extracted: 5 }))).toBe(0);
    expect(exitCodeFor(summary({ rejected: 1, extracted: 1 }))).toBe(3);
    expect(exitCodeFor(summary({ failed: 1, extracted: 1 }))).toBe(3);
    expect(exitCodeFor(summary({ interrupted: true }))).toBe(130);
    expect(exitCodeFor(summary({ interrupted: true, fatalError: 'token refused' }))).toBe(1);
    expect(exitCodeFor(summary({ addsUp: false }))).toBe(1);
  });
});
