import type { BatchPass } from '../checkpoint/index.js';
import { LoadError, coerceError } from '../errors.js';
import { identitiesOf, identityHash, rekeyed, type Identity } from '../load/identity-holders.js';
import { foldIndexes, payloadHash } from '../mapping/index.js';
import type { MapResult, Rejection } from '../mapping/index.js';
import { BatchBuilder } from './batch-builder.js';
import type { PlannedBatch } from './batch-builder.js';
import type { BatchSender, PipelineOutcome } from './batch-sender.js';
import type { Journal, SettledOutcome } from './journal.js';
import { decideSend } from './send-decision.js';
import { accountedFor, emptyCounts } from './run-summary.js';
import type { RunCounts, RunSummary } from './run-summary.js';

/** Where each user's fate is written as it is decided (the rejects and failures files). */
export interface RunRecorder {
  rejected(rejection: Rejection): void;
  failed(outcome: PipelineOutcome): void;
  progress(counts: Readonly<RunCounts>): void;
  warn(message: string): void;
  /**
   * Every row as mapped (before any skip or send decision), for reports that look at the whole set.
   * A promise returned is awaited before the next row (back-pressure from a bounded queue).
   */
  mapped?(result: MapResult): void | Promise<void>;
  /** Every user outcome once its batch has settled (dry runs: `would_send`). */
  settled?(outcomes: readonly PipelineOutcome[]): void;
}

/**
 * The rows one pass processes, and how its batches are journaled. `full` walks the primary key and
 * counts keys the ledger already holds as settled by an earlier attempt; `changes` and `children`
 * read changed rows and compare payload hashes with the ledger; `in_doubt` re-reads the users an
 * earlier run left in doubt (see {@link runMigration}).
 */
export interface MigrationPass {
  name: BatchPass;
  pages: AsyncIterable<PassRow[]>;
}

/** One source row as a pass hands it on: mapped on demand (in this thread) or already (by a worker). */
export interface PassRow {
  key: string;
  /**
   * The row's position in the pass's order, journaled as the batches' first/last key (the cursor
   * follows it): the primary key, or the change cursor as JSON.
   */
  position: string;
  map(): MapResult;
}

export interface MigrationDeps {
  pass: MigrationPass;
  /**
   * Keys left in doubt by an earlier run: always sent (without upsert, then resolved by look-up),
   * never skipped; a key leaves the set once a batch of this run settles it.
   */
  inDoubtKeys: Set<string>;
  /** Since when each key is in doubt and what its attempts carried (see ResumePoint). @default none known */
  inDoubtDetails?: ReadonlyMap<string, { since: string; identities: Identity[] }>;
  journal: Journal;
  sender: BatchSender;
  recorder: RunRecorder;
  /** Aborting stops extraction; batches already in flight still settle. */
  signal?: AbortSignal;
  now?: () => number;
  /**
   * Called at named instants (`<pass>:answered`: a batch's answer is in, not yet settled; see
   * run-passes.ts for the others), for tests that kill the process there. @default none
   */
  killPoint?: (name: string) => void;
}

export interface MigrationOptions {
  job: string;
  dryRun: boolean;
  /** Rows read per query. @default 500 */
  pageSize: number;
  /** Users per bulk request, 1..50. @default 50 */
  batchSize: number;
  /** Bulk requests in flight at once. @default 4 */
  concurrency: number;
  /** `--upsert`: send every batch with `?upsert=true`, updating users that exist, whoever's. @default false */
  upsert: boolean;
  /** Incremental passes: send changed rows even when their payload hash equals the ledger's. @default false */
  resendUnchanged?: boolean;
}

/**
 * Extract → map → validate → batch → send → settle, with at most `concurrency` batches in flight.
 * Never throws half-way for a bad row or a failed user: those are outcomes. A fatal error (401/403,
 * retries exhausted) stops new work, lets in-flight batches settle, and is reported in the summary.
 *
 * Every pass walks this one path. What differs is what the ledger means: in the `full` pass a key
 * already in the ledger was settled by an interrupted attempt of the same pass and is skipped; in
 * the incremental passes the ledger's entry decides how a changed user is sent (see
 * `decideSend`: with upsert only into a Dynamic user known to be ours; a conflict stays one;
 * an unchanged payload is not sent). In-doubt keys are always sent, and resolved by look-up.
 */
export async function runMigration(deps: MigrationDeps, options: MigrationOptions): Promise<RunSummary> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const counts = emptyCounts();
  const { pass, inDoubtKeys } = deps;
  const incremental = pass.name !== 'full';
  const builder = new BatchBuilder(options.batchSize);
  const inFlight = new Set<Promise<void>>();
  const warnings = new Map<string, number>();
  const dropped = new Map<string, number>();
  let fatal: Error | undefined;
  const stopped = () => fatal !== undefined || deps.signal?.aborted === true;
  const unplanned = (batch: PlannedBatch) => {
    counts.extracted -= batch.users.length + batch.rejectedKeys.length + (batch.held?.length ?? 0);
  };

  const dispatch = async (batch: PlannedBatch): Promise<void> => {
    const seq = await deps.journal.plan({
      firstKey: batch.firstKey,
      lastKey: batch.lastKey,
      sendKeys: batch.users.map((user) => user.legacyId),
      upsert: batch.upsert,
      pass: pass.name,
      positioned: batch.positioned !== false,
      // Kept in doubt with each key should its answer be lost: how Dynamic may hold it, if its row changes meanwhile.
      ...(options.dryRun ? {} : { sentIdentities: Object.fromEntries(batch.users.map((user) => [user.legacyId, identitiesOf(user.payload)])) }),
    });
    const sent = batch.users.length === 0 ? [] : await sendBatch(seq, batch);
    if (sent === undefined) return; // left in doubt for the next run
    if (batch.users.length > 0) deps.killPoint?.(`${pass.name}:answered`);
    const held = batch.held ?? [];
    try {
      await deps.journal.settle(seq, sent.filter(isSettledOutcome), batch.rejections);
    } catch (error) {
      // Not recorded (the checkpoint's database went away, say): the batch stays unsettled, its
      // users in doubt for the next run, and are counted so.
      counts.inDoubt += batch.users.length + batch.rejectedKeys.length + held.length;
      throw error;
    }
    for (const outcome of sent) if (outcome.outcome !== 'in_doubt') inDoubtKeys.delete(outcome.legacyId);
    const outcomes = [...sent, ...held];
    tally(counts, outcomes, batch);
    for (const rejection of batch.rejections) deps.recorder.rejected(rejection);
    // failed.jsonl: refusals, conflicts, and users settled with a warning (e.g. identity_changed); not those still in doubt.
    for (const outcome of outcomes) if (outcome.outcome !== 'in_doubt' && (outcome.outcome === 'failed' || outcome.outcome === 'conflict' || outcome.errorCode)) deps.recorder.failed(outcome);
    deps.recorder.settled?.(outcomes);
    deps.recorder.progress(counts);
  };

  const sendBatch = async (seq: number, batch: PlannedBatch): Promise<PipelineOutcome[] | undefined> => {
    await deps.journal.markSent(seq);
    try {
      return await deps.sender.send(batch, deps.signal ?? new AbortController().signal);
    } catch (thrown) {
      const error = coerceError(thrown);
      if (error instanceof LoadError && error.code === 'bad_request') {
        // The API refused the body as a whole: every user of it failed, with the API's reason.
        return batch.users.map((user) => ({
          legacyId: user.legacyId,
          outcome: 'failed' as const,
          errorCode: 'bad_request',
          errorMessage: error.message,
        }));
      }
      // Stopped while waiting for a slot or a backoff: not a failure, just a batch for the next run.
      const interrupted = deps.signal?.aborted === true && !(error instanceof LoadError);
      if (!interrupted) fatal ??= error;
      counts.inDoubt += batch.users.length + batch.rejectedKeys.length + (batch.held?.length ?? 0);
      return undefined;
    }
  };

  const launch = async (batches: PlannedBatch[]) => {
    // In order: the batch carrying a range's position is planned after the other one of its range.
    for (const batch of batches) await launchOne(batch);
  };

  const launchOne = async (batch: PlannedBatch) => {
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    if (fatal !== undefined) {
      unplanned(batch); // never journaled: the next run reads these rows again
      return;
    }
    const task: Promise<void> = dispatch(batch)
      .catch((thrown) => {
        fatal ??= coerceError(thrown);
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  try {
    for await (const page of pass.pages) {
      const ledger = await deps.journal.ledger(page.map((row) => row.key));
      for (const [index, row] of page.entries()) {
        if (stopped()) break;
        if (index > 0 && index % ROWS_BETWEEN_IO_TURNS === 0) await nextIoTurn();
        counts.extracted += 1;
        const known = ledger.get(row.key);
        const inDoubt = inDoubtKeys.has(row.key);
        if (!incremental && known && !inDoubt) {
          counts.alreadySettled += 1;
          continue;
        }
        const position = row.position;
        const result = row.map();
        const recorded = deps.recorder.mapped?.(result);
        if (recorded) await recorded;
        for (const warning of result.warnings ?? []) {
          const key = `${warning.field} ${warning.rule}`;
          warnings.set(key, (warnings.get(key) ?? 0) + 1);
        }
        for (const value of (result.ok && result.dropped) || []) {
          const key = `${foldIndexes(value.field)} ${value.rule}`;
          dropped.set(key, (dropped.get(key) ?? 0) + 1);
        }
        let completed: PlannedBatch[] | undefined;
        if (!result.ok) {
          completed = builder.addRejected(position, result.rejections);
        } else {
          const hash = options.dryRun ? undefined : payloadHash(result.payload);
          const identities = options.dryRun ? '' : identityHash(result.payload);
          const decision = decideSend(known, {
            incremental, upsert: options.upsert, resendUnchanged: options.resendUnchanged === true, inDoubt, payloadHash: hash, identityHash: identities,
          });
          if (decision.action === 'unchanged') {
            counts.unchanged += 1;
            completed = builder.addSkipped(position);
          } else if (decision.action === 'conflict') {
            completed = builder.addSkipped(position, {
              legacyId: result.legacyId, outcome: 'conflict', owner: 'other', errorCode: known?.outcome === 'conflict' ? 'conflict' : 'not_ours',
              errorMessage: 'its row changed, but its Dynamic user is not known to be one this job created: the change is not sent (--upsert would)',
            });
          } else {
            const user = {
              legacyId: result.legacyId, payload: result.payload, payloadHash: hash, identityHash: options.dryRun ? undefined : identities,
              inDoubt: decision.inDoubt, guard: decision.guard, known,
              ...(decision.inDoubt ? inDoubtDetailsOf(deps.inDoubtDetails?.get(result.legacyId)) : {}),
            };
            completed = builder.addUser(position, user, decision.mode);
          }
        }
        if (completed) await launch(completed);
      }
      if (stopped()) break;
    }
    const last = stopped() ? undefined : builder.flush();
    if (last) await launch(last);
  } catch (thrown) {
    fatal ??= coerceError(thrown);
  } finally {
    await Promise.allSettled([...inFlight]);
  }

  for (const batch of builder.flush() ?? []) unplanned(batch);
  return {
    ...counts,
    job: options.job,
    dryRun: options.dryRun,
    interrupted: stopped(),
    ...(fatal ? { fatalError: fatal.message } : {}),
    ...(fatal instanceof LoadError && fatal.isAuthFailure ? { fatalAuth: true } : {}),
    durationMs: now() - startedAt,
    addsUp: accountedFor(counts) === counts.extracted,
    warnings: Object.fromEntries([...warnings].sort(([a], [b]) => a.localeCompare(b))),
    ...(dropped.size > 0 ? { dropped: Object.fromEntries([...dropped].sort(([a], [b]) => a.localeCompare(b))) } : {}),
  };
}

/** What a user in doubt carries into its batch: the lost attempts' identities and time (unknown time: since ever). */
function inDoubtDetailsOf(detail: { since: string; identities: Identity[] } | undefined): { sentIdentities: Identity[]; inDoubtSince: number } {
  const since = detail ? Date.parse(detail.since) : Number.NaN;
  return { sentIdentities: (detail?.identities ?? []).map(rekeyed), inDoubtSince: Number.isFinite(since) ? since : 0 };
}

/**
 * Mapping a page is one long stretch of synchronous work, and pg only reads a query's answer (and
 * sends the next page's child queries) when the event loop gets a turn. Without turns, the next
 * page read ahead waited until this one was done and the pipeline then sat idle for its child
 * queries (~10% of a dry run); a turn every this many rows lets them run during the mapping.
 */
const ROWS_BETWEEN_IO_TURNS = 100;

const nextIoTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function isSettledOutcome(outcome: PipelineOutcome): outcome is SettledOutcome {
  return outcome.outcome !== 'would_send';
}

function tally(counts: RunCounts, outcomes: PipelineOutcome[], batch: PlannedBatch): void {
  counts.rejected += batch.rejectedKeys.length;
  for (const { outcome } of outcomes) {
    if (outcome === 'created') counts.created += 1;
    else if (outcome === 'updated') counts.updated += 1;
    else if (outcome === 'already_exists') counts.alreadyExisted += 1;
    else if (outcome === 'conflict') counts.conflicts += 1;
    else if (outcome === 'failed') counts.failed += 1;
    else if (outcome === 'in_doubt') counts.inDoubt += 1;
    else counts.wouldSend += 1;
  }
}
