import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { scrubMessage } from '../checkpoint/scrub-message.js';
import type { JobObserver, JobResult, RunCounts } from '../pipeline/index.js';
import { RunMeter, formatEta, type RunRates } from './run-meter.js';

/** Seconds between plain progress lines when stderr is not a terminal (CI logs, files). */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

const processed = (counts: Readonly<RunCounts>) => counts.extracted;

/** Options of {@link createConsoleObserver}. */
export interface ConsoleObserverOptions {
  /** A live bar (terminal) instead of a plain line every few seconds. */
  progressBar: boolean;
  /** `--quiet`: no progress, no warnings; errors and the summary still print. @default false */
  quiet?: boolean;
  /** Shown next to requests/min, so the operator sees how close the run is to it; 0 = none. */
  rateLimitPerMinute?: number;
}

const requestsText = (rates: RunRates, limit: number | undefined) =>
  `${rates.requestsPerMinute}${limit ? `/${limit}` : ''} req/min`;

/** created/updated/unchanged/rejected/failed, as both displays show them. */
const outcomeText = (counts: Readonly<RunCounts>, short = false) =>
  short
    ? `created ${counts.created} updated ${counts.updated} unchanged ${counts.unchanged} rejected ${counts.rejected} failed ${counts.failed}`
    : `created ${counts.created}, updated ${counts.updated}, already there ${counts.alreadyExisted}, unchanged ${counts.unchanged}, rejected ${counts.rejected}, failed ${counts.failed}`;

/**
 * Progress on stderr: on a terminal a live bar with rows/s, requests/min against the limit, ETA and
 * the outcome counts; otherwise a plain line every few seconds. stdout is kept for the summary, so
 * it can be piped. Messages have email addresses masked.
 */
export function createConsoleObserver(options: ConsoleObserverOptions): JobObserver & { stop(): void } {
  if (options.quiet) return { stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  let total = 0;
  const meter = new RunMeter();
  const log = (message: string) => {
    if (bar) bar.stop();
    console.error(scrubMessage(message) ?? '');
  };
  return {
    started(info) {
      total = info.total;
      meter.start(info.total);
      const mode = info.dryRun ? 'dry run' : 'run';
      const resume =
        info.phase === 'incremental'
          ? `, changes after ${info.resumedFrom ?? 'the first run'} up to ${info.upperBound ?? 'now'}`
          : info.resumedFrom === null ? '' : `, resuming after key ${info.resumedFrom}`;
      const doubt = info.inDoubt > 0 ? `, replaying ${info.inDoubt} in-doubt users with upsert` : '';
      console.error(`job ${info.job}: ${mode} over ${info.total} source rows${resume}${doubt}`);
      if (options.progressBar) {
        bar = new cliProgress.SingleBar(
          { format: '{bar} {percentage}% | {value}/{total} rows | {rate} rows/s | {requests} | ETA {etaText}\n  {outcomes}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(info.total, 0, { rate: '0', requests: requestsText({ rowsPerSecond: 0, requestsPerMinute: 0, etaSeconds: null }, options.rateLimitPerMinute), etaText: '?', outcomes: '' });
      }
    },
    request: () => meter.request(),
    progress(counts) {
      meter.progress(counts);
      const rates = meter.rates(counts);
      const rate = rates.rowsPerSecond.toFixed(0);
      if (bar) {
        bar.update(processed(counts), { rate, requests: requestsText(rates, options.rateLimitPerMinute), etaText: formatEta(rates.etaSeconds), outcomes: outcomeText(counts, true) });
        return;
      }
      if (Date.now() - lastLine < PLAIN_PROGRESS_INTERVAL_MS) return;
      lastLine = Date.now();
      console.error(
        `progress: ${processed(counts)}/${total} rows (${outcomeText(counts)}) ${rate} rows/s, ${requestsText(rates, options.rateLimitPerMinute)}, ETA ${formatEta(rates.etaSeconds)}`,
      );
    },
    retry(info) {
      meter.retry();
      if (!bar) console.error(`retry ${info.attempt}: ${scrubMessage(info.reason) ?? ''}; waiting ${Math.round(info.delayMs)} ms`);
    },
    warn: log,
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** The final summary, on stdout: every count, and the check that they add up. */
export function printSummary({ summary, reports, checkpointFile, target }: JobResult): void {
  const rows: Array<[string, number]> = [
    ['extracted', summary.extracted],
    ...(summary.alreadySettled ? [['settled by an earlier run', summary.alreadySettled] as [string, number]] : []),
    ...(summary.dryRun
      ? [['valid, would be sent', summary.wouldSend] as [string, number]]
      : [
          ['created', summary.created] as [string, number],
          ['updated', summary.updated] as [string, number],
          ['already existed', summary.alreadyExisted] as [string, number],
        ]),
    ...(summary.unchanged ? [['unchanged, not sent', summary.unchanged] as [string, number]] : []),
    ['rejected locally', summary.rejected],
    ...(summary.dryRun ? [] : [['failed remotely', summary.failed] as [string, number]]),
    ...(summary.inDoubt ? [['in doubt (replayed next run)', summary.inDoubt] as [string, number]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nSummary of job ${summary.job}${summary.dryRun ? ' (dry run: nothing sent)' : ''}`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
  const accounted = rows.slice(1).reduce((sum, [, value]) => sum + value, 0);
  console.log(`  ${'check'.padEnd(width)}  ${summary.addsUp ? 'ok' : 'MISMATCH'}: ${accounted} accounted for of ${summary.extracted} extracted`);
  console.log(`  ${'duration'.padEnd(width)}  ${(summary.durationMs / 1000).toFixed(1)} s`);
  const warnings = Object.entries(summary.warnings);
  if (warnings.length > 0) {
    console.log('  values changed to fit the API (sent; see the mapping\'s transforms):');
    for (const [what, count] of warnings) console.log(`    ${what}: ${count}`);
  }
  if (target) {
    const skipped = target.notCompared > 0 ? `, ${target.notCompared} not looked up` : '';
    console.log(`  ${'in Dynamic'.padEnd(width)}  ${target.compared} compared: ${target.create} new, ${target.update} already ours, ${target.conflict} conflict(s)${skipped}${target.error ? ` (stopped: ${target.error})` : ''}`);
  }
  if (summary.interrupted) console.log(`  stopped early${summary.fatalError ? `: ${summary.fatalError}` : ''}; run the same command again to resume`);
  console.log(`\nReports: ${reports.dir}`);
  console.log(`  report:   ${join(reports.dir, 'report.html')} (open it in a browser; report.json, rejects.csv beside it)`);
  if (reports.payloadsPath) console.log(`  payloads: ${reports.payloadsPath}`);
  console.log(`  rejects:  ${reports.rejectsPath}`);
  if (!summary.dryRun) console.log(`  failed:   ${reports.failedPath}`);
  if (checkpointFile) console.log(`Checkpoint: ${checkpointFile} (id map: dynamic-migrate export idmap --job ${summary.job})`);
}
