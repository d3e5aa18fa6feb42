import type { LoaderWait } from '../load/index.js';
import type { RunCounts } from '../pipeline/index.js';

const WINDOW_MS = 60_000;

/** Rates of a run at one moment, for the progress display and the JSON progress events. */
export interface RunRates {
  rowsPerSecond: number;
  /** Requests in the last rolling minute: the number the rate limit caps. */
  requestsPerMinute: number;
  /** Seconds left at the current row rate; null before there is a rate to go by. */
  etaSeconds: number | null;
}

/** Users that went out in a request and came back settled. */
const sent = (counts: Readonly<RunCounts>) => counts.created + counts.updated + counts.alreadyExisted + counts.failed;

/**
 * Measures a run from what its observer sees. Requests per minute come from `request()` events
 * when the pipeline sends them; until then they are estimated, one per settled batch that sent
 * users plus one per retry (split batches make the estimate a little low). The clock is passed in.
 */
export class RunMeter {
  private startedAt: number;
  private total = 0;
  private readonly requests: number[] = [];
  private exact = false;
  private lastSent = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  start(total: number): void {
    this.total = total;
    this.startedAt = this.now();
  }

  /** One HTTP request went out (exact counting; estimates stop from then on). */
  request(): void {
    if (!this.exact) this.requests.length = 0;
    this.exact = true;
    this.record();
  }

  retry(): void {
    if (!this.exact) this.record();
  }

  /** Feeds a progress event: a rise in settled users means one more batch answered. */
  progress(counts: Readonly<RunCounts>): void {
    const now = sent(counts);
    if (!this.exact && now > this.lastSent) this.record();
    this.lastSent = now;
  }

  rates(counts: Readonly<RunCounts>): RunRates {
    const now = this.now();
    while (this.requests.length > 0 && (this.requests[0] ?? now) <= now - WINDOW_MS) this.requests.shift();
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const rowsPerSecond = counts.extracted / seconds;
    const left = Math.max(0, this.total - counts.extracted);
    return {
      rowsPerSecond,
      requestsPerMinute: this.requests.length,
      etaSeconds: rowsPerSecond > 0 ? left / rowsPerSecond : null,
    };
  }

  private record(): void {
    this.requests.push(this.now());
  }
}

/** `75` → `1m15s`; null → `?`. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Waits known to end sooner than this are not worth a line, a row or an event: a rate-limit slot
 * 100 ms away would only make the display flicker and the log grow, and progress shows them anyway.
 */
const SHORT_WAIT_MS = 2_000;

/** Whole seconds until a wait is expected to end (rounded up, never below 0); null when unknown. */
export function waitSecondsLeft(wait: LoaderWait, now: number): number | null {
  return wait.until === undefined ? null : Math.max(0, Math.ceil((wait.until - now) / 1000));
}

/** Whether a wait is worth telling the operator about: its end is unknown or more than {@link SHORT_WAIT_MS} away. */
export function isLongWait(wait: LoaderWait, now: number): boolean {
  return wait.until === undefined || wait.until - now > SHORT_WAIT_MS;
}

/** Whether two announcements say the same (a loader may announce a wait again unchanged). */
export function sameWait(a: LoaderWait | undefined, b: LoaderWait | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.reason === b.reason && a.until === b.until && a.message === b.message);
}
