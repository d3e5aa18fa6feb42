// Drives the terminal progress display through a run's events, for test/integration/terminal-display.test.ts,
// which starts it under a pseudo-terminal: `node --import tsx test/helpers/drive-console-display.ts`.
// It writes a screen mark (an invisible OSC sequence) wherever the test looks at the screen.
import { setTimeout as sleep } from 'node:timers/promises';
import { createConsoleObserver, printSummary } from '../../src/cli/console-output.js';
import type { JobResult, RunCounts, RunReports } from '../../src/pipeline/index.js';
// Not from the pipeline's index: that loads the whole pipeline (seconds), and the display needs none of it.
import { emptyCounts } from '../../src/pipeline/run-summary.js';
import { screenMark } from './pty-screen.js';

// The test expects these as they are: the job, the row count, the warning and the wait.
const JOB = 'pty-job';
const TOTAL = 1000;
/** Longer than the 150-column screen, so it must wrap whole; the email and token in it must be scrubbed. */
const WARNING =
  'WARNING-START the API refused user jane.doe@example.com with token dyn_abcdefghijklmnop: this warning is deliberately long so that it wraps onto a second row of the terminal WARNING-END';
const WAIT_SECONDS = 12;

/** A redraw of the display comes every 100 ms; this is well past one, even on a loaded machine. */
const REDRAW = 700;

const mark = (name: string) => process.stderr.write(screenMark(name));

// The display's clock: real time plus what the script skips ahead, so a countdown moves without waiting for it.
let skipped = 0;
const now = () => Date.now() + skipped;

const observer = createConsoleObserver({ progressBar: true, rateLimitPerMinute: 600, now });
const counts: RunCounts = emptyCounts();
const step = async (extracted: number) => {
  counts.extracted = extracted;
  counts.created = Math.floor(extracted * 0.9);
  counts.rejected = extracted - counts.created;
  observer.request?.();
  observer.progress?.(counts);
  await sleep(15);
};

observer.started?.({ job: JOB, dryRun: false, phase: 'full', total: TOTAL, resumedFrom: null, inDoubt: 0 });
for (let extracted = 20; extracted <= 400; extracted += 20) await step(extracted);
await sleep(REDRAW); // drawn at 400 already: the rows must be drawn again below the warning though nothing changed
observer.warn?.(WARNING);
await sleep(REDRAW);
mark('after-warning');
for (let extracted = 420; extracted <= 600; extracted += 20) await step(extracted);

observer.waiting?.({ reason: 'retry_after', until: now() + WAIT_SECONDS * 1000, message: 'the server asked to wait (Retry-After)' });
await sleep(REDRAW);
mark('waiting');
skipped += 3_000; // no progress event in between: the countdown moves on its own redraws
await sleep(REDRAW);
mark('waiting-later');
observer.waiting?.(undefined);
await sleep(REDRAW);
mark('waited');

for (let extracted = 620; extracted <= TOTAL; extracted += 20) await step(extracted);
observer.warn?.('WARNING-LAST given just before stop(), which must still show it');
observer.stop();

const reports = { dir: '/tmp/reports/pty-job', rejectsPath: '/tmp/reports/pty-job/rejects.csv', failedPath: '/tmp/reports/pty-job/failed.jsonl', payloadsPath: undefined } as RunReports;
const result: JobResult = {
  summary: {
    ...counts, job: JOB, dryRun: false, durationMs: 1500, addsUp: true, warnings: {},
    // An error from the database, quoting a URL with its password and an email: the summary must scrub both.
    interrupted: true, fatalError: 'connection to postgres://admin:hunter22@db.internal/legacy lost while reading jane.doe@example.com',
  },
  reports,
  checkpointFile: '/tmp/checkpoints/pty-job.db',
};
printSummary(result);
