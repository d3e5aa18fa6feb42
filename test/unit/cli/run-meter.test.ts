import { describe, expect, it } from 'vitest';
import { isLongWait, sameWait, waitSecondsLeft } from '../../../src/cli/run-meter.js';

describe('loader waits as the displays measure them', () => {
  const wait = { reason: 'retry_after' as const, until: 100_000, message: 'the server asked to wait (Retry-After)' };

  it('seconds left round up and stop at 0; an unknown end has none', () => {
    expect(waitSecondsLeft(wait, 88_001)).toBe(12);
    expect(waitSecondsLeft(wait, 99_999)).toBe(1);
    expect(waitSecondsLeft(wait, 101_000)).toBe(0);
    expect(waitSecondsLeft({ reason: 'resolving', message: 'x' }, 0)).toBeNull();
  });

  it('a wait is long when its end is unknown or more than 2 s away', () => {
    expect(isLongWait(wait, 97_999)).toBe(true);
    expect(isLongWait(wait, 98_000)).toBe(false);
    expect(isLongWait({ reason: 'resolving', message: 'x' }, 0)).toBe(true);
  });

  it('two announcements are the same wait when reason, end and message agree', () => {
    expect(sameWait(wait, { ...wait })).toBe(true);
    expect(sameWait(wait, { ...wait, until: 100_001 })).toBe(false);
    expect(sameWait(undefined, undefined)).toBe(true);
    expect(sameWait(wait, undefined)).toBe(false);
  });
});
