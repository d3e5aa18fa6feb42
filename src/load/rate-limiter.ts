import { AdaptiveLimit, type LimitChange } from './adaptive-limit.js';
import type { LoaderWait } from './loader-wait.js';
import { readServerLimit, type HeaderReader } from './rate-limit-headers.js';
import { defaultSleep, type Sleep } from './sleep.js';
import { SlotLog, type SendAnswer, type SendRecord } from './slot-log.js';

export { defaultSleep, type Sleep } from './sleep.js';
export type { SendAnswer, SendRecord } from './slot-log.js';

/**
 * Where a limiter keeps the send times of its last window, so that a run restarted seconds after a
 * crash starts with those slots taken instead of meeting its predecessor's requests as 429s (the
 * job's checkpoint implements it). Writes are synchronous: `sent` has returned before the request
 * goes out, so a kill -9 right after cannot lose it.
 */
export interface SendJournal {
  /** The sends of earlier runs that may still count in the server's window, any order. */
  recent(): SendRecord[];
  /** A request is about to go out at `grantedAt`; returns its id for `answered`. */
  sent(grantedAt: number): number;
  answered(id: number, doneAt: number, answer: SendAnswer): void;
}

export interface RateLimiterOptions {
  /**
   * Requests allowed in any rolling window (`windowMs`), shared by every in-flight request: the
   * most the limiter ever sends at, even when the server seems to allow more.
   * `0` means unlimited (only `pauseUntil` still applies, and nothing adapts).
   * @default 150 (Dynamic's published limit for bulk create per IP)
   */
  perMinute?: number;
  /** The window `perMinute` counts in; shorter only to rehearse limits quickly. @default 60000 */
  windowMs?: number;
  /**
   * Extra wait after a slot's window has passed: covers clock granularity between us and the server.
   * @default 50
   */
  safetyMarginMs?: number;
  /** Hears each change of the sending rate (server limit adopted, lowered after 429s, probe up). */
  onLimitChange?: (change: LimitChange) => void;
  /** Hears when every request is held back for a while (a Retry-After pause, a full window), and when that ends. */
  onWait?: (wait: LoaderWait | undefined) => void;
  /** Persists the sends of the last window across restarts (see {@link SendJournal}). @default none */
  journal?: SendJournal;
  /**
   * A budget shared with other processes (the environment's, across every worker of a scaled-out
   * job): asked once this limiter has granted its own slot, right before the request goes out. @default none
   */
  shared?: SharedBudget;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** @default node:timers/promises setTimeout */
  sleep?: Sleep;
}

/** Requests counted across processes; `acquire` resolves when one more may be sent (see scale/environment-budget.ts). */
export interface SharedBudget {
  acquire(signal?: AbortSignal): Promise<void>;
}

/** A hold-up shorter than this is the normal spacing of requests at the limit: not worth a notice. */
const NOTICE_WAIT_MS = 2_000;

/** What came back for a request, so the limiter can learn the server's limit from it. */
export interface SlotAnswer {
  status: number;
  headers?: HeaderReader;
}

/** One granted request. */
export interface RateSlot {
  /**
   * Call once the answer is in, or when the attempt is given up (no answer): the slot stays
   * occupied until a window after this. Idempotent. Returns the rate change the answer caused.
   */
  release(answer?: SlotAnswer): LimitChange | undefined;
}

interface Waiter {
  resolve: (slot: RateSlot) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

const UNLIMITED_SLOT: RateSlot = { release: () => undefined };

/**
 * Client-side sliding-window limiter that is conservative by construction: a request holds its slot
 * until a window after its *answer* (see {@link SlotLog}), so the server, which counts arrivals,
 * never sees N+1 in one window; yet it bursts to the full N when idle. The N adapts down to what
 * the server allows (see {@link AdaptiveLimit}). Waiters are served strictly FIFO by one pump loop.
 */
export class RateLimiter {
  /** The configured limit per window; the adapted one is `limit`. */
  readonly perMinute: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly onLimitChange: ((change: LimitChange) => void) | undefined;
  private readonly onWait: ((wait: LoaderWait | undefined) => void) | undefined;
  private readonly journal: SendJournal | undefined;
  private readonly shared: SharedBudget | undefined;
  private readonly log: SlotLog;
  private readonly adaptive: AdaptiveLimit;
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  private pumping = false;
  private nextId = 0;
  /** The wait last announced to `onWait`, so each is announced once. */
  private announced: LoaderWait | undefined;
  /** Aborted to wake the pump: an answer freed a slot, or every waiter has gone (so no timer keeps the process alive). */
  private pumpWake: AbortController | undefined;

  constructor(options: RateLimiterOptions = {}) {
    const perMinute = options.perMinute ?? 150;
    if (!Number.isInteger(perMinute) || perMinute < 0) {
      throw new RangeError(`perMinute must be a non-negative integer, got ${perMinute}`);
    }
    this.perMinute = perMinute;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.onLimitChange = options.onLimitChange;
    this.onWait = options.onWait;
    this.shared = options.shared;
    this.log = new SlotLog(options.safetyMarginMs ?? 50);
    this.adaptive = new AdaptiveLimit(perMinute, this.windowMs);
    this.journal = perMinute > 0 ? options.journal : undefined;
    if (this.journal) {
      // What our predecessor sent is still in the server's window: those slots are taken.
      this.log.restore(this.journal.recent(), this.now());
      this.adaptive.accepted(this.log.peakAccepted(this.windowMs), this.now());
    }
  }

  /** What the limiter sends at now, on top of the configured limit (0 = unlimited). */
  get limit(): { limit: number; windowMs: number } {
    return this.perMinute > 0 ? { limit: this.adaptive.limit, windowMs: this.adaptive.windowMs } : { limit: 0, windowMs: this.windowMs };
  }

  /**
   * Resolves with a slot when one request may be sent; release it when the answer is in.
   * Rejects with `signal.reason` if aborted while waiting.
   *
   * With a shared budget, this limiter's slot is taken first and the shared one last: the slot
   * counts from its answer (so waiting for the budget while holding it is safe for the per-IP
   * window), while the shared budget counts the moment it grants, which is then the moment the
   * request leaves.
   */
  acquire(signal?: AbortSignal): Promise<RateSlot> {
    const own = this.takeSlot(signal);
    const shared = this.shared;
    if (!shared) return own;
    return own.then(async (slot) => {
      try {
        await shared.acquire(signal);
        return slot;
      } catch (error) {
        slot.release();
        throw error;
      }
    });
  }

  private takeSlot(signal?: AbortSignal): Promise<RateSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RateSlot>((resolve, reject) => {
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

  /** Milliseconds until the next grant could happen (0 = now; Infinity = once an answer frees a slot). */
  waitTime(): number {
    return this.waits(this.now()).wait;
  }

  /** The wait, and whether the adapted limit alone holds it up (the moment to probe for more). */
  private waits(now: number): { wait: number; adaptedOnly: boolean } {
    if (this.perMinute === 0) return { wait: Math.max(0, this.pausedUntil - now), adaptedOnly: false };
    const other = Math.max(this.pausedUntil - now, this.log.waitFor(this.perMinute, this.windowMs, now));
    const adapted = this.log.waitFor(this.adaptive.limit, this.adaptive.windowMs, now);
    return { wait: Math.max(0, other, adapted), adaptedOnly: adapted > 0 && adapted > other };
  }

  private grant(): RateSlot {
    if (this.perMinute === 0) return UNLIMITED_SLOT;
    const grantedAt = this.now();
    const under = this.adaptive.grantedUnder();
    const id = this.nextId++;
    this.log.grant(id, grantedAt);
    const journalId = this.journal?.sent(grantedAt);
    let released = false;
    return {
      release: (answer) => {
        if (released) return undefined;
        released = true;
        const now = this.now();
        const outcome: SendAnswer = answer === undefined ? 'none' : answer.status === 429 ? 'refused' : 'accepted';
        this.log.finish(id, now, outcome);
        if (journalId !== undefined) this.journal?.answered(journalId, now, outcome);
        const since = now - this.windowMs;
        if (outcome === 'accepted') this.adaptive.accepted(this.log.acceptedSince(since), now);
        const server = answer?.headers ? readServerLimit(answer.headers) : undefined;
        // A limit without a window is taken to be per our window (Dynamic's limits are per minute).
        let change = server ? this.adaptive.serverSays(server.limit, server.windowMs ?? this.windowMs, now) : undefined;
        if (outcome === 'refused') {
          const levels = { sent: this.log.inServerWindow(grantedAt, this.windowMs), accepted: this.log.acceptedSince(since) };
          change = this.adaptive.rateLimited(under, levels, now) ?? change;
        }
        if (change) this.onLimitChange?.(change);
        this.pumpWake?.abort();
        return change;
      },
    };
  }

  /** Tells `onWait` about a hold-up worth a notice, once; and when it is over. */
  private announce(wait: number, now: number): void {
    if (!this.onWait) return;
    if (wait < NOTICE_WAIT_MS || !Number.isFinite(wait)) {
      if (this.announced && wait === 0) {
        this.announced = undefined;
        this.onWait(undefined);
      }
      return;
    }
    const until = now + wait;
    const paused = this.pausedUntil >= until;
    const reason = paused ? 'retry_after' : 'rate_limit';
    const shown = this.announced;
    if (shown && shown.reason === reason && Math.abs((shown.until ?? 0) - until) < 1_000) return;
    const { limit } = this.limit;
    const message = paused
      ? 'the server answered 429: every request waits as it asked (Retry-After)'
      : `the rate limit is reached (${limit} requests per ${this.adaptive.windowMs === 60_000 ? 'minute' : `${this.adaptive.windowMs / 1000} s`}): waiting for a slot`;
    this.announced = { reason, until, message };
    this.onWait(this.announced);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.now();
        const waits = this.waits(now);
        let wait = waits.wait;
        if (waits.adaptedOnly) {
          // Held back by the adapted limit alone: the moment to probe for a higher server limit.
          const probed = this.adaptive.probe(now);
          if (probed) {
            this.onLimitChange?.(probed);
            wait = this.waits(now).wait;
          }
        }
        this.announce(wait, now);
        if (wait > 0) {
          // Sleep the whole wait (or until an answer frees a slot) and re-check: pauses only extend,
          // so waking early is the only way a wait can shrink.
          this.pumpWake = new AbortController();
          const wake = this.pumpWake.signal;
          await (Number.isFinite(wait) ? this.sleep(wait, wake).catch(() => undefined) : woken(wake));
          this.pumpWake = undefined;
          continue;
        }
        const waiter = this.queue.shift();
        if (!waiter) break;
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.resolve(this.grant());
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** Resolves when `signal` aborts; no timer, so nothing keeps the process alive. */
function woken(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
