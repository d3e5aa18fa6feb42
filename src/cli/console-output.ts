import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { scrubMessage } from '../checkpoint/scrub-message.js';
import type { LoaderWait } from '../load/index.js';
import type { JobObserver, JobResult, RunCounts } from '../pipeline/index.js';
import { RunMeter, formatEta, isLongWait, sameWait, waitSecondsLeft, type RunRates } from './run-meter.js';

/** Seconds between plain progress lines when stderr is not a terminal (CI logs, files). */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

const processed = (counts: Readonly<RunCounts>) => counts.extracted;

/** Options of {@link createConsoleObserver}. */
export interface ConsoleObserverOptions {
  /** A live display, when stderr is a terminal; otherwise (or when false) a plain line every few seconds. */
  progressBar: boolean;
  /** `--quiet`: no progress, no warnings; errors and the summary still print. @default false */
  quiet?: boolean;
  /** Shown next to requests/min, so the operator sees how close the run is to it; 0 = none. */
  rateLimitPerMinute?: number;
  /** The clock of the rates and of a wait's countdown. @default Date.now */
  now?: () => number;
}

const requestsText = (rates: RunRates, limit: number | undefined) =>
  `${rates.requestsPerMinute}${limit ? `/${limit}` : ''} req/min`;

/** created/updated/unchanged/rejected/conflicts/failed, as both displays show them. */
const outcomeText = (counts: Readonly<RunCounts>, short = false) =>
  short
    ? `created ${counts.created} updated ${counts.updated} unchanged ${counts.unchanged} rejected ${counts.rejected} conflicts ${counts.conflicts} failed ${counts.failed}`
    : `created ${counts.created}, updated ${counts.updated}, already there ${counts.alreadyExisted}, unchanged ${counts.unchanged}, rejected ${counts.rejected}, conflicts ${counts.conflicts}, failed ${counts.failed}`;

/** Control characters (but newline and tab) as `?`: text from the API must not move the cursor or recolour the terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const printable = (text: string) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');

/** Text from the API or the database, fit for the terminal: scrubbed of secrets and emails, controls removed. */
const displayed = (text: string) => printable(scrubMessage(text) ?? '');

/** cli-progress turns autowrap off while its rows are live; a warning is written with it on, so it wraps whole. */
const AUTOWRAP_ON = '\x1b[?7h';
const AUTOWRAP_OFF = '\x1b[?7l';
/** Erases from the cursor to the end of the screen: the rows a warning is written over. */
const ERASE_BELOW = '\x1b[J';

const BAR_FORMAT = '{bar} {percentage}% | {value}/{total} rows | {rate} rows/s | {requests} | ETA {etaText}';

/**
 * The display on a terminal: cli-progress's MultiBar with a bar row, an outcome row and, while
 * the loader waits, a wait row that counts down. MultiBar redraws the rows in place ten times a
 * second and writes what `log()` is given above them. Every frame is drawn even when nothing
 * changed (`forceRedraw`): a warning moves the rows down, and a countdown moves with no event.
 */
class LiveDisplay {
  private readonly multibar = new cliProgress.MultiBar({ format: BAR_FORMAT, hideCursor: true, forceRedraw: true }, cliProgress.Presets.shades_classic);
  private readonly bar: cliProgress.SingleBar;
  private readonly outcomes: cliProgress.SingleBar;
  private waitRow: cliProgress.SingleBar | undefined;
  private wait: { reason: LoaderWait['reason']; until?: number; message: string; since: number } | undefined;

  constructor(total: number, requests: string, private readonly now: () => number) {
    this.bar = this.multibar.create(total, 0, { rate: '0', requests, etaText: '?' });
    this.outcomes = this.multibar.create(0, 0, { outcomes: '' }, { format: '  {outcomes}' });
  }

  progress(value: number, payload: { rate: string; requests: string; etaText: string }, outcomes: string): void {
    this.bar.update(value, payload);
    this.outcomes.update({ outcomes });
  }

  /** A whole message above the rows at the next frame; the rows go on below it. */
  log(message: string): void {
    // The rows it is written over are erased first, or a short line would leave part of one showing.
    this.multibar.log(`${ERASE_BELOW}${AUTOWRAP_ON}${message}\n${AUTOWRAP_OFF}`);
  }

  waiting(wait: LoaderWait | undefined): void {
    if (!wait) {
      if (this.waitRow) this.multibar.remove(this.waitRow);
      this.waitRow = undefined;
      this.wait = undefined;
      return;
    }
    // A wait announced again (a new end, the same reason) keeps counting from when it began.
    const since = this.wait?.reason === wait.reason ? this.wait.since : this.now();
    this.wait = { reason: wait.reason, ...(wait.until === undefined ? {} : { until: wait.until }), message: displayed(wait.message), since };
    this.waitRow ??= this.multibar.create(0, 0, {}, { format: () => this.waitText() });
  }

  /** Draws the last frame (and any warning not yet shown) and leaves the cursor on the line below it. */
  stop(): void {
    this.waiting(undefined);
    this.multibar.update();
    this.multibar.stop();
  }

  private waitText(): string {
    if (!this.wait) return '';
    const now = this.now();
    const left = waitSecondsLeft(this.wait, now);
    const howLong = left === null ? `${Math.floor((now - this.wait.since) / 1000)} s so far` : `${left} s left`;
    return `  waiting: ${this.wait.message}, ${howLong}`;
  }
}

/**
 * Without a terminal, a line when a long wait starts (`waiting 55 s: ...`), at most one every
 * {@link PLAIN_PROGRESS_INTERVAL_MS}; a wait announced sooner is printed when that time is up, if
 * it is still going and still long, so a long pause right after a short one is not left unexplained.
 */
function plainWaitLines(now: () => number) {
  let current: LoaderWait | undefined;
  let printed: LoaderWait | undefined;
  let lastLine = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const announce = () => {
    if (!current || sameWait(current, printed) || !isLongWait(current, now())) return;
    const early = lastLine + PLAIN_PROGRESS_INTERVAL_MS - now();
    if (early > 0) {
      timer ??= setTimeout(() => {
        timer = undefined;
        announce();
      }, early).unref();
      return;
    }
    printed = current;
    lastLine = now();
    const seconds = waitSecondsLeft(current, lastLine);
    console.error(`waiting${seconds === null ? '' : ` ${seconds} s`}: ${displayed(current.message)}`);
  };
  return {
    waiting(wait: LoaderWait | undefined) {
      current = wait;
      announce();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      current = undefined;
    },
  };
}

/**
 * Progress on stderr: on a terminal a live display with rows/s, requests/min against the limit,
 * ETA, the outcome counts and any pause of the loader with its countdown; otherwise a plain line
 * every few seconds. stdout is kept for the summary, so it can be piped. Text from the API or the
 * database is scrubbed (secrets, emails) before it is shown.
 */
export function createConsoleObserver(options: ConsoleObserverOptions): JobObserver & { stop(): void } {
  if (options.quiet) return { stop() {} };
  const now = options.now ?? (() => Date.now());
  const live = options.progressBar && Boolean(process.stderr.isTTY);
  let display: LiveDisplay | undefined;
  let lastLine = 0;
  let total = 0;
  const meter = new RunMeter(now);
  const plainWaits = plainWaitLines(now);
  return {
    started(info) {
      total = info.total;
      meter.start(info.total);
      const mode = info.dryRun ? 'dry run' : 'run';
      const resume =
        info.phase === 'incremental'
          ? `, changes after ${info.resumedFrom === null ? 'the first run' : displayed(info.resumedFrom)} up to ${info.upperBound ?? 'now'}`
          : info.resumedFrom === null ? '' : `, resuming after key ${displayed(info.resumedFrom)}`;
      const doubt = info.inDoubt > 0 ? `, first replaying ${info.inDoubt} users left in doubt (looked up before anything is believed)` : '';
      console.error(`job ${info.job}: ${mode} over ${info.total} source rows${resume}${doubt}`);
      if (live) display = new LiveDisplay(info.total, requestsText({ rowsPerSecond: 0, requestsPerMinute: 0, etaSeconds: null }, options.rateLimitPerMinute), now);
    },
    request: () => meter.request(),
    progress(counts) {
      meter.progress(counts);
      const rates = meter.rates(counts);
      const rate = rates.rowsPerSecond.toFixed(0);
      if (display) {
        display.progress(processed(counts), { rate, requests: requestsText(rates, options.rateLimitPerMinute), etaText: formatEta(rates.etaSeconds) }, outcomeText(counts, true));
        return;
      }
      if (now() - lastLine < PLAIN_PROGRESS_INTERVAL_MS) return;
      lastLine = now();
      console.error(
        `progress: ${processed(counts)}/${total} rows (${outcomeText(counts)}) ${rate} rows/s, ${requestsText(rates, options.rateLimitPerMinute)}, ETA ${formatEta(rates.etaSeconds)}`,
      );
    },
    retry(info) {
      meter.retry();
      if (!display) console.error(`retry ${info.attempt}: ${displayed(info.reason)}; waiting ${Math.round(info.delayMs)} ms`);
    },
    waiting(wait) {
      // Short waits (a rate-limit slot a moment away) are not shown: they would only flicker.
      const shown = wait && isLongWait(wait, now()) ? wait : undefined;
      if (display) display.waiting(shown);
      else plainWaits.waiting(shown);
    },
    warn(message) {
      if (display) display.log(displayed(message));
      else console.error(displayed(message));
    },
    stop() {
      display?.stop();
      display = undefined;
      plainWaits.stop();
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
          ['already there (ours)', summary.alreadyExisted] as [string, number],
          ['conflicts (someone else\'s)', summary.conflicts] as [string, number],
        ]),
    ...(summary.unchanged ? [['unchanged, not sent', summary.unchanged] as [string, number]] : []),
    ['rejected locally', summary.rejected],
    ...(summary.dryRun ? [] : [['failed remotely', summary.failed] as [string, number]]),
    ...(summary.inDoubt ? [['in doubt (resolved next run)', summary.inDoubt] as [string, number]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nSummary of job ${summary.job}${summary.dryRun ? ' (dry run: nothing sent)' : ''}`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
  const accounted = rows.slice(1).reduce((sum, [, value]) => sum + value, 0);
  console.log(`  ${'check'.padEnd(width)}  ${summary.addsUp ? 'ok' : 'MISMATCH'}: ${accounted} accounted for of ${summary.extracted} extracted`);
  console.log(`  ${'duration'.padEnd(width)}  ${(summary.durationMs / 1000).toFixed(1)} s`);
  const dropped = Object.entries(summary.dropped ?? {});
  if (dropped.length > 0) {
    console.log('  values dropped (the user is sent without them; examples in the report):');
    for (const [what, count] of dropped) console.log(`    ${what}: ${count}`);
  }
  const warnings = Object.entries(summary.warnings);
  if (warnings.length > 0) {
    console.log('  values changed to fit the API (sent; see the mapping\'s transforms):');
    for (const [what, count] of warnings) console.log(`    ${what}: ${count}`);
  }
  if (target) {
    const skipped = target.notCompared > 0 ? `, ${target.notCompared} not looked up` : '';
    console.log(`  ${'in Dynamic'.padEnd(width)}  ${target.compared} compared: ${target.create} new, ${target.update} already ours, ${target.conflict} conflict(s)${skipped}${target.error ? ` (stopped: ${displayed(target.error)})` : ''}`);
  }
  if (summary.interrupted) console.log(`  stopped early${summary.fatalError ? `: ${displayed(summary.fatalError)}` : ''}; run the same command again to resume`);
  console.log(`\nReports: ${reports.dir}`);
  console.log(`  report:   ${join(reports.dir, 'report.html')} (open it in a browser; report.json, rejects.csv beside it)`);
  if (reports.payloadsPath) console.log(`  payloads: ${reports.payloadsPath}`);
  console.log(`  rejects:  ${reports.rejectsPath}`);
  if (!summary.dryRun) console.log(`  failed:   ${reports.failedPath}`);
  if (checkpointFile) console.log(`Checkpoint: ${checkpointFile} (id map: dynamic-migrate export idmap --job ${summary.job})`);
}
