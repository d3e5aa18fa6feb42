import { scrubMessage } from '../checkpoint/scrub-message.js';
import type { JobObserver, RunSummary } from '../pipeline/index.js';
import { RunMeter } from './run-meter.js';

/** Milliseconds between `progress` events. */
const PROGRESS_INTERVAL_MS = 5_000;

/** Where the lines go. @default one line to stderr */
export type LineWriter = (line: string) => void;

const toStderr: LineWriter = (line) => process.stderr.write(`${line}\n`);

/**
 * `--log-format json`: one JSON object per line on stderr for every event (`started`, `progress`
 * every few seconds, `retry`, `warn`, `finished` with the summary, `error`), each with `time`,
 * `level` and `event`. Counts, rates and codes only: messages have email addresses masked, and
 * nothing of the config (so no token) is ever written. `quiet` keeps only `finished` and `error`.
 */
export function createJsonLogObserver(
  options: { quiet?: boolean; rateLimitPerMinute?: number; write?: LineWriter; now?: () => number } = {},
): JobObserver & { finished(summary: RunSummary): void; error(error: { code?: string; message: string; exitCode: number }): void; stop(): void } {
  const now = options.now ?? Date.now;
  const write = options.write ?? toStderr;
  const meter = new RunMeter(now);
  let lastProgress = 0;
  const emit = (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => {
    if (options.quiet && event !== 'finished' && event !== 'error') return;
    write(JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields }));
  };
  return {
    started(info) {
      meter.start(info.total);
      emit('info', 'started', {
        job: info.job, dryRun: info.dryRun, phase: info.phase, total: info.total, resumedFrom: info.resumedFrom,
        inDoubt: info.inDoubt, ...(info.upperBound ? { upperBound: info.upperBound } : {}),
      });
    },
    request: () => meter.request(),
    progress(counts) {
      meter.progress(counts);
      if (now() - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now();
      const rates = meter.rates(counts);
      emit('info', 'progress', {
        ...counts,
        rowsPerSecond: Math.round(rates.rowsPerSecond),
        requestsPerMinute: rates.requestsPerMinute,
        rateLimitPerMinute: options.rateLimitPerMinute ?? null,
        etaSeconds: rates.etaSeconds === null ? null : Math.round(rates.etaSeconds),
      });
    },
    retry(info) {
      meter.retry();
      emit('warn', 'retry', { attempt: info.attempt, status: info.status ?? null, delayMs: Math.round(info.delayMs), reason: scrubMessage(info.reason) });
    },
    warn: (message) => emit('warn', 'warn', { message: scrubMessage(message) }),
    finished: (summary) => emit('info', 'finished', { summary: { ...summary, fatalError: summary.fatalError === undefined ? undefined : scrubMessage(summary.fatalError) } }),
    error: (error) => emit('error', 'error', { code: error.code ?? null, message: scrubMessage(error.message), exitCode: error.exitCode }),
    stop() {},
  };
}
