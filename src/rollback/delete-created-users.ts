import type { CheckpointStore } from '../checkpoint/index.js';
import { LoadError, coerceError } from '../errors.js';
import { boundFetch } from '../load/bound-fetch.js';
import { RateLimiter } from '../load/rate-limiter.js';
import type { RollbackConfig, RollbackResult } from './rollback-config.js';
import { deleteTargetUser } from './delete-target-user.js';

/** What the caller hears while users are deleted. */
export interface RollbackObserver {
  progress?(done: { deleted: number; alreadyGone: number; failed: number }): void;
  retry?(info: { attempt: number; status?: number; delayMs: number; reason: string }): void;
  warn?(message: string): void;
}

/**
 * Deletes the Dynamic user of every ledger entry this job created (owner `job`, in Dynamic, with
 * a Dynamic id: see `classifyForRollback`), `concurrency` at a time, rate-limited,
 * and marks each `rolled_back` as soon as Dynamic confirms (or answers 404). A killed rollback
 * therefore resumes where it stopped; a user deleted but not yet recorded is deleted again next
 * time, gets a 404, and is recorded then. A 401/403 stops everything (no later request can work);
 * other failures are counted and the rest continues.
 */
export async function deleteCreatedUsers(
  store: CheckpointStore,
  config: RollbackConfig & { environmentId: string; token: string },
  options: { observer?: RollbackObserver; signal?: AbortSignal } = {},
): Promise<RollbackResult> {
  const startedAt = Date.now();
  const observer = options.observer ?? {};
  const rateLimiter = new RateLimiter({ perMinute: config.rateLimitPerMinute });
  // --local-address: every DELETE leaves from it.
  const api = config.localAddress ? await boundFetch(config.localAddress) : undefined;
  const result: RollbackResult = { job: config.job, deleted: 0, alreadyGone: 0, failed: 0, failures: [], interrupted: false, durationMs: 0 };
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Entries are read lazily by every worker from one iterator, so millions never sit in memory.
  const entries = store.ledgerByOutcome(['created', 'updated', 'already_exists'], { pageSize: 200, owner: 'job' });
  let reading = Promise.resolve();
  const next = async () => {
    // One reader at a time: the async generator must not be re-entered.
    const turn = reading.then(() => entries.next());
    reading = turn.then(() => undefined, () => undefined);
    return turn;
  };

  const worker = async () => {
    while (!signal.aborted) {
      const item = await next();
      if (item.done) return;
      const entry = item.value;
      if (!entry.dynamicUserId) continue;
      try {
        const answer = await deleteTargetUser(entry.dynamicUserId, {
          baseUrl: config.apiUrl, environmentId: config.environmentId, token: config.token, rateLimiter,
          retries: config.retries, signal, onRetry: (info) => observer.retry?.(info), ...(api ? { fetch: api.fetch } : {}),
        });
        await store.markRolledBack(entry.legacyId);
        if (answer === 'deleted') result.deleted += 1;
        else result.alreadyGone += 1;
      } catch (thrown) {
        if (signal.aborted) return;
        const error = coerceError(thrown);
        if (error instanceof LoadError && error.isAuthFailure) {
          result.fatalError ??= error.message;
          stop.abort(error);
          return;
        }
        if (!(error instanceof LoadError)) {
          stop.abort(error); // a checkpoint that cannot be written: stop every worker, then report it
          throw error;
        }
        result.failed += 1;
        if (result.failures.length < 100) result.failures.push({ legacyId: entry.legacyId, reason: error.message });
        observer.warn?.(`could not delete the user of legacy id ${entry.legacyId}: ${error.message}`);
      }
      observer.progress?.({ deleted: result.deleted, alreadyGone: result.alreadyGone, failed: result.failed });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, config.concurrency) }, worker));
  } finally {
    await entries.return(undefined);
    await api?.close();
  }
  result.interrupted = signal.aborted;
  result.durationMs = Date.now() - startedAt;
  return result;
}
