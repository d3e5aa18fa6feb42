import { coerceError } from '../errors.js';
import type { DeveloperRequestOptions } from '../load/developer-request.js';
import type { MapResult } from '../mapping/index.js';
import type { ReportTarget } from '../report/report-json.js';
import { findTargetUsers, lookupKeyOf, type LookupKey } from './find-target-users.js';
import { predictTarget, TargetTally } from './target-tally.js';

export interface TargetComparisonOptions {
  /** Where and how to ask (base URL, environment, token, a rate limiter of its own, retries, signal). */
  request: DeveloperRequestOptions;
  legacyIdKey: string;
  /** Lookups in flight at once. @default 4 */
  concurrency?: number;
  /** Users waiting for a lookup; when full, `offer` waits (bounded memory). @default 1000 */
  queueSize?: number;
  /** Told once when the comparison stops early (a 401, retries exhausted). */
  warn?: (message: string) => void;
}

/** Looks the users a run would send up in Dynamic, off the run's path, and predicts what would happen. */
export interface TargetComparison {
  /** A `RunRecorder.mapped` hook: queues a user that mapped cleanly; resolves at once unless the queue is full. */
  offer(result: MapResult): Promise<void> | undefined;
  /** Waits for every queued lookup, then returns the counts for report.json's `target`. */
  finish(): Promise<ReportTarget>;
}

interface Pending {
  legacyId: string;
  key: LookupKey;
}

/**
 * A bounded queue drained by `concurrency` workers, each lookup a rate-limited GET (see
 * {@link findTargetUsers}). Read-only: it never writes to Dynamic. A lookup that fails for good
 * stops the comparison (the rest count as not compared, the reason goes in the report); the
 * run itself goes on.
 */
export function createTargetComparison(options: TargetComparisonOptions): TargetComparison {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const queueSize = Math.max(1, options.queueSize ?? 1000);
  const tally = new TargetTally();
  const queue: Pending[] = [];
  let active = 0;
  let stopped = false;
  let spaceWaiters: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  const wake = (waiters: Array<() => void>) => {
    for (const resolve of waiters) resolve();
  };
  const stop = (reason: string) => {
    if (stopped) return;
    stopped = true;
    tally.stop(reason);
    options.warn?.(`comparison with Dynamic stopped: ${reason}`);
    for (let i = queue.length; i > 0; i--) tally.skip();
    queue.length = 0;
    wake(spaceWaiters);
    spaceWaiters = [];
  };
  const lookUp = async (item: Pending) => {
    try {
      const found = await findTargetUsers(item.key, options.legacyIdKey, options.request);
      tally.add(item.legacyId, predictTarget(item.legacyId, found));
    } catch (thrown) {
      tally.skip();
      stop(options.request.signal?.aborted ? 'interrupted' : coerceError(thrown).message);
    }
  };
  const pump = () => {
    while (active < concurrency && queue.length > 0) {
      const item = queue.shift() as Pending;
      active += 1;
      void lookUp(item).finally(() => {
        active -= 1;
        pump();
      });
    }
    if (queue.length < queueSize && spaceWaiters.length > 0) {
      const [first, ...rest] = spaceWaiters;
      spaceWaiters = rest;
      first?.();
    }
    if (active === 0 && queue.length === 0) {
      wake(idleWaiters);
      idleWaiters = [];
    }
  };

  return {
    offer(result) {
      if (!result.ok) return undefined;
      const key = lookupKeyOf(result.payload);
      if (stopped || key === null) {
        tally.skip();
        return undefined;
      }
      queue.push({ legacyId: result.legacyId, key });
      pump();
      if (queue.length < queueSize) return undefined;
      return new Promise<void>((resolve) => spaceWaiters.push(resolve));
    },
    async finish() {
      if (active > 0 || queue.length > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      return tally.result();
    },
  };
}
