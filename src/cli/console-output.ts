import cliProgress from 'cli-progress';
import type { JobObserver, JobResult, RunCounts } from '../pipeline/index.js';

/** Seconds between plain progress lines when stderr is not a terminal (CI logs, files). */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

const processed = (counts: Readonly<RunCounts>) => counts.extracted;

/**
 * Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds
 * otherwise. stdout is kept for the summary, so it can be piped.
 */
export function createConsoleObserver(options: { progressBar: boolean }): JobObserver & { stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  let total = 0;
  let startedAt = Date.now();
  const log = (message: string) => {
    if (bar) bar.stop();
    console.error(message);
  };
  return {
    started(info) {
      total = info.total;
      startedAt = Date.now();
      const mode = info.dryRun ? 'dry run' : 'run';
      const resume =
        info.phase === 'incremental'
          ? `, changes after ${info.resumedFrom ?? 'the first run'} up to ${info.upperBound ?? 'now'}`
          : info.resumedFrom === null ? '' : `, resuming after key ${info.resumedFrom}`;
      const doubt = info.inDoubt > 0 ? `, replaying ${info.inDoubt} in-doubt users with upsert` : '';
      console.error(`job ${info.job}: ${mode} over ${info.total} source rows${resume}${doubt}`);
      if (options.progressBar) {
        bar = new cliProgress.SingleBar(
          { format: '{bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(info.total, 0, { rate: '0' });
      }
    },
    progress(counts) {
      const rate = (processed(counts) / Math.max(1, (Date.now() - startedAt) / 1000)).toFixed(0);
      if (bar) {
        bar.update(processed(counts), { rate });
        return;
      }
      if (Date.now() - lastLine < PLAIN_PROGRESS_INTERVAL_MS) return;
      lastLine = Date.now();
      console.error(
        `progress: ${processed(counts)}/${total} rows (created ${counts.created}, updated ${counts.updated}, already there ${counts.alreadyExisted}, rejected ${counts.rejected}, failed ${counts.failed}) ${rate} rows/s`,
      );
    },
    retry(info) {
      if (!bar) console.error(`retry ${info.attempt}: ${info.reason}; waiting ${Math.round(info.delayMs)} ms`);
    },
    warn: log,
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** The final summary, on stdout: every count, and the check that they add up. */
export function printSummary({ summary, reports, checkpointFile }: JobResult): void {
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
  if (summary.interrupted) console.log(`  stopped early${summary.fatalError ? `: ${summary.fatalError}` : ''}; run the same command again to resume`);
  console.log(`\nReports: ${reports.dir}`);
  if (reports.payloadsPath) console.log(`  payloads: ${reports.payloadsPath}`);
  console.log(`  rejects:  ${reports.rejectsPath}`);
  if (!summary.dryRun) console.log(`  failed:   ${reports.failedPath}`);
  if (checkpointFile) console.log(`Checkpoint: ${checkpointFile} (id map: dynamic-migrate export idmap --job ${summary.job})`);
}
