import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJsonLogObserver } from '../../../src/cli/json-log-observer.js';
import type { RunSummary } from '../../../src/pipeline/index.js';
import { emptyCounts } from '../../../src/pipeline/run-summary.js';

describe('createJsonLogObserver: waiting events', () => {
  let events: Array<Record<string, unknown>>;
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    events = [];
  });
  afterEach(() => vi.useRealTimers());

  const observer = (options: { quiet?: boolean } = {}) => createJsonLogObserver({ ...options, write: (line) => events.push(JSON.parse(line) as Record<string, unknown>) });
  const waits = () => events.filter((event) => event.event === 'waiting').map(({ time, reason, until }) => ({ time, reason, ...(until === undefined ? {} : { until }) }));
  const at = (ms: number) => new Date(T0 + ms).toISOString();
  const retryAfter = (seconds: number) => ({ reason: 'retry_after' as const, until: Date.now() + seconds * 1000, message: 'the server asked to wait (Retry-After)' });

  it('writes when a wait starts (with its end as an ISO time) and when it ends', () => {
    const log = observer();
    log.waiting?.(retryAfter(30));
    vi.advanceTimersByTime(30_000);
    log.waiting?.(undefined);
    expect(events).toEqual([
      { time: at(0), level: 'info', event: 'waiting', reason: 'retry_after', until: at(30_000), message: 'the server asked to wait (Retry-After)' },
      { time: at(30_000), level: 'info', event: 'waiting', reason: null },
    ]);
  });

  it('a wait with no known end has until null; its message is scrubbed', () => {
    const log = observer();
    log.waiting?.({ reason: 'resolving', message: 'looking up jane.doe@example.com' });
    expect(events).toEqual([expect.objectContaining({ event: 'waiting', reason: 'resolving', until: null, message: 'looking up j…m (20 chars)' })]);
  });

  it('leaves out waits that end within 2 s, however many (one per rate-limit slot)', () => {
    const log = observer();
    for (let i = 0; i < 200; i++) {
      log.waiting?.({ reason: 'rate_limit', until: Date.now() + 100, message: 'at the rate limit' });
      vi.advanceTimersByTime(100);
      log.waiting?.(undefined);
    }
    expect(waits()).toEqual([]);
  });

  it('a wait starting again within 5 s is written once, as it stands when the 5 s are up; an end goes out at once', () => {
    const log = observer();
    log.waiting?.(retryAfter(3));
    vi.advanceTimersByTime(1_000);
    log.waiting?.(undefined);
    vi.advanceTimersByTime(1_000);
    log.waiting?.(retryAfter(10));
    vi.advanceTimersByTime(1_000);
    log.waiting?.(retryAfter(20)); // announced again with a later end: the one to write
    vi.advanceTimersByTime(5_000);
    expect(waits()).toEqual([
      { time: at(0), reason: 'retry_after', until: at(3_000) },
      { time: at(1_000), reason: null },
      { time: at(6_000), reason: 'retry_after', until: at(23_000) },
    ]);
  });

  it('a change from one reason to another is written at once', () => {
    const log = observer();
    log.waiting?.(retryAfter(30));
    vi.advanceTimersByTime(1_000);
    log.waiting?.({ reason: 'resolving', message: 'resolving 5 in-doubt users' });
    expect(waits()).toEqual([{ time: at(0), reason: 'retry_after', until: at(30_000) }, { time: at(1_000), reason: 'resolving', until: null }]);
  });

  it('bounds a long run that keeps pausing to about two events every 5 s', () => {
    const log = observer();
    for (let second = 0; second < 600; second += 3) {
      log.waiting?.(retryAfter(2.5));
      vi.advanceTimersByTime(2_500);
      log.waiting?.(undefined);
      vi.advanceTimersByTime(500);
    }
    expect(waits().length).toBeLessThanOrEqual((600 / 5) * 2);
    expect(waits().length).toBeGreaterThan(0);
  });

  it('writes nothing held back after the run finished, and nothing at all with --quiet', () => {
    const log = observer();
    log.waiting?.(retryAfter(3));
    log.waiting?.(undefined);
    log.waiting?.(retryAfter(30)); // held back for 5 s
    const summary: RunSummary = { ...emptyCounts(), job: 'j', dryRun: false, interrupted: false, durationMs: 1, addsUp: true, warnings: {} };
    log.finished(summary);
    vi.advanceTimersByTime(10_000);
    expect(events.map((event) => event.event)).toEqual(['waiting', 'waiting', 'finished']);

    events = [];
    const quiet = observer({ quiet: true });
    quiet.waiting?.(retryAfter(30));
    expect(events).toEqual([]);
  });
});
