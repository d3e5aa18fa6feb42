import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsoleObserver, printSummary } from '../../../src/cli/console-output.js';
import type { JobResult, RunReports } from '../../../src/pipeline/index.js';
import { emptyCounts } from '../../../src/pipeline/run-summary.js';

// The plain output (stderr not a terminal: CI logs, files). The live display on a terminal is
// tested as a person sees it, under a pseudo-terminal: test/integration/terminal-display.test.ts.
describe('createConsoleObserver without a terminal', () => {
  let lines: string[];
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z') });
    lines = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  const started = () => {
    const observer = createConsoleObserver({ progressBar: false });
    observer.started?.({ job: 'j', dryRun: false, phase: 'full', total: 10, resumedFrom: null, inDoubt: 0 });
    lines.length = 0;
    return observer;
  };
  const retryAfter = (seconds: number) => ({ reason: 'retry_after' as const, until: Date.now() + seconds * 1000, message: 'the server asked to wait (Retry-After)' });

  it('prints one line when a long wait starts, saying how long', () => {
    const observer = started();
    observer.waiting?.(retryAfter(55));
    observer.waiting?.(undefined);
    observer.waiting?.({ reason: 'resolving', message: 'resolving 50 in-doubt users' });
    vi.advanceTimersByTime(5_000);
    expect(lines).toEqual(['waiting 55 s: the server asked to wait (Retry-After)', 'waiting: resolving 50 in-doubt users']);
  });

  it('says nothing of a wait that ends within 2 s (a rate-limit slot)', () => {
    const observer = started();
    observer.waiting?.({ reason: 'rate_limit', until: Date.now() + 1_500, message: 'at the rate limit' });
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([]);
  });

  it('prints at most one wait line every 5 s, and a long wait held back still gets its line when that time is up', () => {
    const observer = started();
    observer.waiting?.(retryAfter(3));
    vi.advanceTimersByTime(3_000);
    observer.waiting?.(undefined);
    observer.waiting?.(retryAfter(40)); // 3 s after the first line
    expect(lines).toEqual(['waiting 3 s: the server asked to wait (Retry-After)']);
    vi.advanceTimersByTime(2_000);
    expect(lines).toEqual(['waiting 3 s: the server asked to wait (Retry-After)', 'waiting 38 s: the server asked to wait (Retry-After)']);
  });

  it('drops a held-back wait that ended before its turn, and stop() cancels one still held', () => {
    const observer = started();
    observer.waiting?.(retryAfter(3));
    observer.waiting?.(retryAfter(10));
    observer.waiting?.(undefined);
    vi.advanceTimersByTime(5_000);
    observer.waiting?.(retryAfter(30));
    observer.waiting?.(retryAfter(31));
    observer.stop();
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual(['waiting 3 s: the server asked to wait (Retry-After)', 'waiting 30 s: the server asked to wait (Retry-After)']);
  });

  it('scrubs warnings, retry reasons and wait messages, and turns control characters into ?', () => {
    const observer = started();
    observer.warn?.('user jane.doe@example.com refused, Authorization: Bearer abc.def.ghi then\x1b[2J\rgone');
    observer.retry?.({ attempt: 2, status: 500, delayMs: 1000, reason: 'postgres://admin:hunter22@db/x unreachable' });
    observer.waiting?.({ reason: 'resolving', message: 'looking up bob@example.org' });
    expect(lines).toEqual([
      'user j…m (20 chars) refused, Authorization: Bearer [redacted] then?[2J?gone',
      'retry 2: postgres://admin:[redacted]@db/x unreachable; waiting 1000 ms',
      'waiting: looking up b…g (15 chars)',
    ]);
  });

  it('with --quiet, prints nothing at all', () => {
    const observer = createConsoleObserver({ progressBar: false, quiet: true });
    observer.started?.({ job: 'j', dryRun: false, phase: 'full', total: 10, resumedFrom: null, inDoubt: 0 });
    observer.warn?.('a warning');
    observer.waiting?.(retryAfter(30));
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([]);
  });
});

describe('printSummary', () => {
  afterEach(() => vi.restoreAllMocks());

  it('scrubs the error that stopped the run and the one that stopped the comparison', () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
    const reports = { dir: '/r', rejectsPath: '/r/rejects.csv', failedPath: '/r/failed.jsonl', payloadsPath: undefined } as RunReports;
    const result: JobResult = {
      summary: {
        ...emptyCounts(), job: 'j', dryRun: false, durationMs: 10, addsUp: true, warnings: {},
        interrupted: true, fatalError: 'duplicate key jane.doe@example.com; token dyn_abcdefghijklmnop',
      },
      target: { compared: 1, create: 1, update: 0, conflict: 0, notCompared: 0, error: 'GET failed for bob@example.org' } as JobResult['target'],
      reports,
      checkpointFile: undefined,
    };
    printSummary(result);
    const text = out.join('\n');
    expect(text).toContain('stopped early: duplicate key j…m (20 chars); token [redacted]; run the same command again to resume');
    expect(text).toContain('(stopped: GET failed for b…g (15 chars))');
    expect(text).not.toMatch(/jane\.doe|bob@|dyn_abc/);
  });
});
