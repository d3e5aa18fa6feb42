import { setTimeout as sleep } from 'node:timers/promises';

// `performance` is Node's global (not node:perf_hooks' binding), so a test's fake clock reaches it.

/** A claimed chunk kept alive by heartbeats; see {@link holdChunkLease}. */
export interface ChunkLease {
  /** Aborts when the chunk is no longer ours (handed to another worker), or a quarter lease before it may not be (not renewed in time). */
  readonly signal: AbortSignal;
  /**
   * Renews now and says whether the chunk is still ours, retrying through errors (a database
   * restart) until it knows or the lease runs out: `false` means do not settle the chunk.
   */
  confirm(): Promise<boolean>;
  /** Stops the heartbeats and the deadline. */
  end(): void;
}

/** Options of {@link holdChunkLease}. */
export interface ChunkLeaseOptions {
  /** How long the engine keeps the chunk ours after the last renewal reached it. */
  leaseMs: number;
  /** `performance.now()` when the claim was sent: the engine's lease started no earlier. */
  claimedAt: number;
  /** Extends the lease in the engine; `false` when the engine no longer counts this claim as live. */
  renew(): Promise<boolean>;
  /** Abort reason when `renew` says the chunk is gone. */
  lostReason(): Error;
  /** Abort reason when no renewal got through within the lease. */
  expiredReason(): Error;
  /** A renewal that failed (it is retried at the next heartbeat). */
  onError?(error: unknown): void;
}

/**
 * Holds a claimed chunk: renews it every quarter of the lease and aborts `signal` before this
 * worker can no longer be sure it is the chunk's only holder. That is either the engine saying so
 * (the renewal finds the claim gone: it expired and another worker took the chunk), or our own
 * clock: a lease is measured from when its last successful renewal was *sent*, so the engine cannot
 * have expired it earlier; the deadline is a quarter lease short of that, the time a request the
 * handler had already sent when it aborts has to settle before another worker can claim the chunk
 * and replay it. The deadline is a timer of its own, so a process that was frozen (SIGSTOP, a
 * stall in swap) and wakes up past it aborts at its first tick, before its heartbeat has even asked
 * the database. A machine's suspend is the exception: the monotonic clock does not count it, so
 * there the first heartbeat after waking (within a quarter lease) is what finds the chunk gone.
 */
export function holdChunkLease(options: ChunkLeaseOptions): ChunkLease {
  const { leaseMs } = options;
  /** How long after a renewal was sent the handler may go on: the lease less a quarter to wind down in. */
  const holdMs = leaseMs - leaseMs / 4;
  const controller = new AbortController();
  let deadline = options.claimedAt + holdMs;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const armDeadline = () => {
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(() => controller.abort(options.expiredReason()), Math.max(0, deadline - performance.now()));
  };
  armDeadline();

  let renewing: Promise<boolean> | undefined;
  /** One renewal at a time; concurrent callers share it. Throws what `renew` throws. */
  const renewOnce = (): Promise<boolean> =>
    (renewing ??= (async () => {
      const sentAt = performance.now();
      try {
        const held = await options.renew();
        if (controller.signal.aborted) return false;
        if (!held) {
          controller.abort(options.lostReason());
          return false;
        }
        deadline = sentAt + holdMs;
        armDeadline();
        return true;
      } finally {
        renewing = undefined;
      }
    })());

  // One promise for every confirm() to race against: a listener per call would pile up, one per request.
  const lapsed = aborted(controller.signal);

  const heartbeat = setInterval(() => {
    if (!controller.signal.aborted) renewOnce().catch((error: unknown) => options.onError?.(error));
  }, leaseMs / 4);

  return {
    signal: controller.signal,
    confirm: async () => {
      while (!controller.signal.aborted) {
        try {
          // A renewal on a connection to a vanished host can hang for minutes: once the lease is
          // over the answer no longer matters, so the abort ends the wait (renewOnce then says false).
          return await Promise.race([renewOnce(), lapsed]);
        } catch (error) {
          options.onError?.(error);
          await sleep(Math.min(1000, leaseMs / 4), undefined, { signal: controller.signal }).catch(() => {});
        }
      }
      return false;
    },
    end: () => {
      clearInterval(heartbeat);
      clearTimeout(deadlineTimer);
    },
  };
}

/** Resolves `false` when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<false> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(false);
    else signal.addEventListener('abort', () => resolve(false), { once: true });
  });
}
