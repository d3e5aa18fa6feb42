import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scrubMessage } from '../checkpoint/scrub-message.js';

/** The newest run of a job in the reports folder, as `status` shows it. */
export interface LatestRun {
  /** `<reportsDir>/<job>/<runId>`; run ids sort by time. */
  dir: string;
  /** The run's summary.json, parsed; null when the run never finished writing it (killed). */
  summary: Record<string, unknown> | null;
  rejectsPath: string;
}

/** Finds the newest run folder of `job` under `reportsDir`; undefined when the job has none. */
export function latestRun(reportsDir: string, job: string): LatestRun | undefined {
  const jobDir = join(reportsDir, job);
  if (!existsSync(jobDir)) return undefined;
  const runs = readdirSync(jobDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  // The newest run with a summary; a killed run leaves a folder without one.
  const withSummary = [...runs].reverse().find((run) => existsSync(join(jobDir, run, 'summary.json')));
  const run = withSummary ?? runs.at(-1);
  if (run === undefined) return undefined;
  const dir = join(jobDir, run);
  return { dir, summary: readSummary(join(dir, 'summary.json')), rejectsPath: join(dir, 'rejects.jsonl') };
}

function readSummary(path: string): Record<string, unknown> | null {
  try {
    const summary = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    // Written scrubbed since the scrubber existed; an older run's file may hold the raw message.
    if (typeof summary.fatalError === 'string') summary.fatalError = scrubMessage(summary.fatalError) ?? '';
    return summary;
  } catch {
    return null; // missing or half-written: the run was killed before it finished
  }
}
