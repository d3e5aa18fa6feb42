import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { budgetWindows } from '../../../src/scale/environment-budget.js';

/**
 * The worst a fixed-window budget can do in a rolling span: every window's requests granted at the
 * window's last instant or its first, each arriving up to one window later, all counted in the
 * busiest span. Simulated on a millisecond grid rather than trusted to the formula.
 */
function worstRollingCount(perWindow: number, windowMs: number, spanMs: number): number {
  const windows = Math.ceil((3 * spanMs) / windowMs);
  // Grants at the end of even windows and the start of odd ones bunch them up; delays of up to a
  // window push early grants late. Both extremes at once: each window's grants all arrive at either
  // its start or one window after its end, whichever lands inside the span being counted.
  let worst = 0;
  for (let start = 0; start < spanMs; start += Math.max(1, Math.floor(windowMs / 10))) {
    let count = 0;
    for (let w = 0; w < windows; w++) {
      const earliest = w * windowMs;
      const latest = (w + 2) * windowMs - 1; // end of the window plus a window of delay
      if (latest >= start && earliest < start + spanMs) count += perWindow;
    }
    worst = Math.max(worst, count);
  }
  return worst;
}

describe('budgetWindows', () => {
  it('cuts the default 2,400 a minute into 1 s windows of 38', () => {
    expect(budgetWindows(2400, 1000, 60_000)).toEqual({ windowMs: 1000, perWindow: 38 });
  });

  it('never lets more than the budget into any rolling span, even with grants arriving a window late', () => {
    for (const [perSpan, windowMs, spanMs] of [
      [2400, 1000, 60_000],
      [3000, 1000, 60_000],
      [150, 1000, 60_000],
      [300, 200, 6_000],
      [62, 1000, 60_000],
      [10, 1000, 60_000],
      [3, 1000, 60_000],
    ] as const) {
      const windows = budgetWindows(perSpan, windowMs, spanMs);
      expect(windows.perWindow).toBeGreaterThanOrEqual(1);
      expect(worstRollingCount(windows.perWindow, windows.windowMs, spanMs)).toBeLessThanOrEqual(perSpan);
    }
  });

  it('uses longer windows when the budget is too small for one request a second', () => {
    const windows = budgetWindows(10, 1000, 60_000);
    expect(windows.windowMs).toBeGreaterThan(1000);
    expect(windows.perWindow).toBe(1);
  });

  it('refuses a budget of fewer than 3 and a window longer than the span', () => {
    expect(() => budgetWindows(2, 1000, 60_000)).toThrow(ConfigError);
    expect(() => budgetWindows(2400, 120_000, 60_000)).toThrow(ConfigError);
  });
});
