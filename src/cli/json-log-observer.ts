import { scrubMessage } from '../checkpoint/scrub-message.js';
import type { LoaderWait } from '../load/index.js';
import type { JobObserver, RunSummary } from '../pipeline/index.js';
import { RunMeter, isLongWait, sameWait } from './run-meter.js';

/** Milliseconds between `progress` events. */
const PROGRESS_INTERVAL_MS = 5_000;
/** Milliseconds between `waiting` events that do not change the reason (see {@link waitingEvents}). */
const WAITING_INTERVAL_MS = 5_000;

/** Where the lines go. @default one line to stderr */
export type LineWriter = (line: string) => void;

const toStderr: LineWriter = (line) => process.stderr.write(`${line}\n`);

/**
 * `waiting` events, so a log says why a healthy run sends nothing, without one event per rate-limit
 * slot: waits known to end within 2 s are left out; the end of a wait, or a change from one reason
 * to another, is written at once; a wait that starts (or is announced again) is written at most
 * once every {@link WAITING_INTERVAL_MS}, as it stands when that time is up.
 */
function waitingEvents(now: () => number, write: (fields: Record<string, unknown>) => void) {
  let current: LoaderWait | undefined;
  let written: LoaderWait | undefined;
  let lastEvent = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    // Looked at again when a held-back wait is due: by then it may be nearly over.
    const state = current && isLongWait(current, now()) ? current : undefined;
    if (closed || sameWait(state, written)) return;
    const atOnce = state === undefined || (written !== undefined && state.reason !== written.reason);
    const early = lastEvent + WAITING_INTERVAL_MS - now();
    if (!atOnce && early > 0) {
      timer ??= setTimeout(() => {
        timer = undefined;
        flush();
      }, early).unref();
      return;
    }
    written = state;
    lastEvent = now();
    write(
      state
        ? { reason: state.reason, until: state.until === undefined ? null : new Date(state.until).toISOString(), message: scrubMessage(state.message) }
        : { reason: null },
    );
  };
  return {
    waiting(wait: LoaderWait | undefined) {
      current = wait;
      flush();
    },
    /** The run is over: nothing more is written, not even a wait held back. */
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * `--log-format json`: one JSON object per line on stderr for every event (`started`, `progress`
 * every few seconds, `retry`, `waiting` when the loader pauses and when it goes on, `warn`,
 * `finished` with the summary, `error`), each with `time`,
 * `level` and `event`. Counts, rates and codes only: messages have email addresses masked, and
 * nothing of the config (so no token) is ever written. `quiet` keeps only `finished` and `error`.
 */
export function createJsonLogObserver(
  options: { quiet?: boolean; rateLimitPerMinute?: number; write?: LineWriter; now?: () => number } = {},
): JobObserver & { finished(summary: RunSummary): void; error(error: { code?: string; message: string; exitCode: number }): void; stop(): void } {
  const now = options.now ?? (() => Date.now());
  const write = options.write ?? toStderr;
  const meter = new RunMeter(now);
  let lastProgress = 0;
  const emit = (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => {
    if (options.quiet && event !== 'finished' && event !== 'error') return;
    write(JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields }));
  };
  const waits = waitingEvents(now, (fields) => emit('info', 'waiting', fields));
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
    waiting: (wait) => waits.waiting(wait),
    warn: (message) => emit('warn', 'warn', { message: scrubMessage(message) }),
    finished(summary) {
      waits.close();
      emit('info', 'finished', { summary: { ...summary, fatalError: summary.fatalError === undefined ? undefined : scrubMessage(summary.fatalError) } });
    },
    error(error) {
      waits.close();
      emit('error', 'error', { code: error.code ?? null, message: scrubMessage(error.message), exitCode: error.exitCode });
    },
    stop: () => waits.close(),
  };
}
