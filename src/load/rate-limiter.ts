import { setTimeout as sleepTimer } from 'node:timers/promises';

/** Sleeps `ms`; rejects when `signal` aborts. Injected so tests can drive a fake clock. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RateLimiterOptions {
  /**
   * Requests allowed in any rolling 60 s window, shared by every in-flight request.
   * `0` means unlimited (only `pauseUntil` still applies).
   * @default 150 (Dynamic's published limit for bulk create per IP)
   */
  perMinute?: number;
  /**
   * Extra wait after the oldest send leaves the window: the server counts *arrival* times, which
   * lag our send times by a varying network delay.
   * @default 50
   */
  safetyMarginMs?: number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** @default node:timers/promises setTimeout */
  sleep?: Sleep;
}

const WINDOW_MS = 60_000;

/** Real sleep; rejects with the signal's own reason (not a generic AbortError) so callers see why. */
export const defaultSleep: Sleep = async (ms, signal) => {
  try {
    await sleepTimer(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
};

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Client-side sliding-window-log limiter: remembers the last N grant times, so N+1 grants are never
 * within 60 s (+ margin) of each other, matching a server that counts a rolling window, yet bursts
 * to the full N when idle. Waiters are served strictly FIFO by one pump loop.
 */
export class RateLimiter {
  readonly perMinute: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  /** Grant times, oldest first; at most `perMinute` entries. */
  private readonly log: number[] = [];
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  private pumping = false;
  /** Aborted to wake the pump when every waiter has gone, so no timer keeps the process alive. */
  private pumpWake: AbortController | undefined;

  constructor(options: RateLimiterOptions = {}) {
    const perMinute = options.perMinute ?? 150;
    if (!Number.isInteger(perMinute) || perMinute < 0) {
      throw new RangeError(`perMinute must be a non-negative integer, got ${perMinute}`);
    }
    this.perMinute = perMinute;
    this.marginMs = options.safetyMarginMs ?? 50;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Resolves when one request may be sent. Rejects with `signal.reason` if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          if (this.queue.length === 0) this.pumpWake?.abort();
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  /** Holds every request (queued and future) until `timestamp` (same clock as `now`); only extends. */
  pauseUntil(timestamp: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, timestamp);
  }

  /** `pauseUntil(now + ms)`: what a 429's `Retry-After` calls, so all requests back off, not one. */
  pauseFor(ms: number): void {
    this.pauseUntil(this.now() + ms);
  }

  /** Milliseconds until the next grant could happen (0 = now). */
  waitTime(): number {
    const now = this.now();
    let wait = this.pausedUntil - now;
    if (this.perMinute > 0 && this.log.length >= this.perMinute) {
      const oldest = this.log[0] ?? now;
      wait = Math.max(wait, oldest + WINDOW_MS + this.marginMs - now);
    }
    return Math.max(0, wait);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const wait = this.waitTime();
        if (wait > 0) {
          // Waits only ever grow (the log ages, pauses only extend), so sleeping the full wait and
          // re-checking is exact; the wake signal just ends the sleep early when nobody waits.
          this.pumpWake = new AbortController();
          await this.sleep(wait, this.pumpWake.signal).catch(() => undefined);
          this.pumpWake = undefined;
          continue;
        }
        const waiter = this.queue.shift();
        if (!waiter) break;
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
        if (this.perMinute > 0) {
          this.log.push(this.now());
          if (this.log.length > this.perMinute) this.log.shift();
        }
        waiter.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
