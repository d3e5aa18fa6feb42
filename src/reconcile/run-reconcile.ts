import { openJobCheckpoint, otherApiThanJob } from '../checkpoint/index.js';
import type { CheckpointStore } from '../checkpoint/index.js';
import { compileRunMapper } from '../duplicates/index.js';
import { ConfigError } from '../errors.js';
import { connectSource, readSourcePages, refuseHiddenColumns } from '../extract/index.js';
import type { SourceDb } from '../extract/index.js';
import { RateLimiter, boundFetch } from '../load/index.js';
import { loadMappingFile, payloadHash } from '../mapping/index.js';
import { comparableFromPayload } from './comparable-user.js';
import { listTargetUsers } from './list-target-users.js';
import type { ReconcileConfig } from './reconcile-config.js';
import type { ReconcileReport } from './reconcile-report.js';
import { Reconciler, type SourceItem } from './reconciler.js';
import { rowsStillPresent } from './rows-still-present.js';
import { toTargetUser } from './target-user.js';

/** What the caller hears while reconcile runs; every callback is optional. */
export interface ReconcileObserver {
  phase?(name: 'ledger' | 'target' | 'source', done: number): void;
  retry?(info: { offset: number; attempt: number; delayMs: number; reason: string }): void;
  warn?(message: string): void;
}

/**
 * Compares the eligible source rows, the job's ledger and the users Dynamic lists, and returns the
 * report. Eligibility is the run's: the same mapper, duplicates policy included (whose pre-scan
 * reads the source once more, twice when it finds clusters). Read-only everywhere: the source
 * through a read-only connection, the checkpoint (the file, or with `stateUrl` the job's schema in
 * the state database) only read, Dynamic only listed. Closes what it opened, in reverse order,
 * whatever happens.
 * @throws CheckpointError when the job has no checkpoint; ConfigError when it belongs to another
 *   environment; ExtractError / LoadError when the source or Dynamic cannot be read.
 */
export async function runReconcile(
  config: Readonly<ReconcileConfig>,
  deps: { observer?: ReconcileObserver; fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<ReconcileReport> {
  const { observer = {} } = deps;
  const mapping = await loadMappingFile(config.mappingFile);
  const store = await openJobCheckpoint({ job: config.job, checkpointDir: config.checkpointDir, stateUrl: config.stateUrl }, { create: false });
  let source: SourceDb | undefined;
  try {
    const job = await store.job();
    if (!job) throw new ConfigError(`job "${config.job}" has not run yet: nothing to reconcile`);
    const jobEnvironment = job.fingerprint.environmentId;
    if (jobEnvironment !== null && jobEnvironment !== config.environmentId) {
      throw new ConfigError(`job "${config.job}" migrated into environment ${jobEnvironment}, not ${config.environmentId}`);
    }
    const otherApi = otherApiThanJob(job.fingerprint, config.job, config.apiUrl);
    if (otherApi) throw new ConfigError(otherApi);
    const warnings = await jobWarnings(store, mapping.hash);
    for (const warning of warnings) observer.warn?.(warning);
    const reconciler = new Reconciler();

    let ledgerCount = 0;
    for await (const entry of store.idMap()) {
      reconciler.addLedgerEntry(entry);
      if (++ledgerCount % 10_000 === 0) observer.phase?.('ledger', ledgerCount);
    }
    // The id map has no error codes: a conflict's (which identity someone else holds) is read apart.
    for await (const entry of store.ledgerByOutcome(['conflict'])) reconciler.addLedgerEntry(entry);
    observer.phase?.('ledger', ledgerCount);

    const rateLimiter = new RateLimiter({ perMinute: config.rateLimitPerMinute });
    // --local-address: the list requests leave from it (a fetch passed in is used as it is).
    const api = config.localAddress && !deps.fetch ? await boundFetch(config.localAddress) : undefined;
    const fetchImpl = deps.fetch ?? api?.fetch;
    let targetCount = 0;
    try {
      for await (const page of listTargetUsers({
        baseUrl: config.apiUrl, environmentId: config.environmentId, token: config.token, rateLimiter, retries: config.retries,
        ...(fetchImpl ? { fetch: fetchImpl } : {}), ...(deps.signal ? { signal: deps.signal } : {}),
        ...(observer.retry ? { onRetry: observer.retry } : {}),
      })) {
        for (const user of page) reconciler.addTargetUser(toTargetUser(user, mapping.spec.legacyIdKey));
        targetCount += page.length;
        observer.phase?.('target', targetCount);
      }
    } finally {
      await api?.close();
    }

    source = connectSource(config.databaseUrl, { applicationName: 'dynamic-migrate reconcile' });
    const reading = { pageSize: config.pageSize, ...(deps.signal ? { signal: deps.signal } : {}) };
    // The run's own mapper, duplicates policy included (its pre-scan reads the source first): a row
    // is eligible here exactly when a run would send it.
    await refuseHiddenColumns(source, mapping.spec.source);
    const { mapRow } = await compileRunMapper(source, mapping.spec, reading);
    let sourceCount = 0;
    for await (const page of readSourcePages(source, mapping.spec.source, { after: null, ...reading })) {
      const results = page.map(mapRow);
      const ledger = await store.ledgerEntries(results.filter((result) => result.ok).map((result) => result.legacyId));
      for (const result of results) {
        const item: SourceItem = result.ok
          ? {
              legacyId: result.legacyId, eligible: true, fields: comparableFromPayload(result.payload),
              payloadHash: payloadHash(result.payload), ledgerHash: ledger.get(result.legacyId)?.payloadHash ?? null,
            }
          : { legacyId: result.legacyId, eligible: false, rules: [...new Set(result.rejections.map((rejection) => rejection.rule))] };
        reconciler.addSource(item);
      }
      sourceCount += page.length;
      observer.phase?.('source', sourceCount);
    }

    const stillInTable = await rowsStillPresent(source, mapping.spec.source, reconciler.unselectedMigrated());
    return reconciler.finish({ job: config.job, environmentId: config.environmentId, stillInTable, warnings });
  } finally {
    await source?.destroy();
    await store.close();
  }
}

/** What makes this comparison less than exact; reported, not fatal (reconcile only reads). */
async function jobWarnings(store: CheckpointStore, mappingHash: string): Promise<string[]> {
  const status = await store.status();
  const { job } = status;
  const warnings: string[] = [];
  if (job.fingerprint.mappingHash !== mappingHash) {
    warnings.push('the mapping changed since the job started: users it now maps differently are reported as differing');
  }
  if (job.lastRunStartedAt !== null && (job.lastRunFinishedAt === null || job.lastRunFinishedAt < job.lastRunStartedAt)) {
    warnings.push('the last run of this job did not finish (still running, or killed): users in flight may show as missing or extra');
  }
  const inDoubt = status.batches.planned + status.batches.sent;
  if (inDoubt > 0) warnings.push(`${inDoubt} batch(es) are in doubt: the next run replays them; their users may show as extra`);
  return warnings;
}
