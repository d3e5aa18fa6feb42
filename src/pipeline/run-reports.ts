import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scrubMessage } from '../checkpoint/scrub-message.js';
import type { Rejection } from '../mapping/index.js';
import { scrubText } from '../shared/scrub-text.js';
import type { PipelineOutcome } from './batch-sender.js';
import { openJsonlWriter } from './jsonl-writer.js';
import type { JsonlWriter } from './jsonl-writer.js';
import { scrubSummary } from './run-summary.js';
import type { RunSummary } from './run-summary.js';

/** The files one run leaves behind, in `<reportsDir>/<job>/<runId>/`. */
export interface RunReports {
  readonly dir: string;
  readonly rejectsPath: string;
  readonly failedPath: string;
  readonly payloadsPath: string | undefined;
  readonly summaryPath: string;
  rejected(rejection: Rejection): void;
  failed(outcome: PipelineOutcome): void;
  payload(line: unknown): void;
  finish(summary: RunSummary): Promise<void>;
}

/** A run id that sorts by time and is safe in a file name. */
export function newRunId(now: Date = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

export function openRunReports(dir: string, options: { dryRun: boolean }): RunReports {
  const rejects = openJsonlWriter(join(dir, 'rejects.jsonl'));
  const failures = openJsonlWriter(join(dir, 'failed.jsonl'));
  const payloads: JsonlWriter | undefined = options.dryRun ? openJsonlWriter(join(dir, 'payloads.jsonl'), { chunkBytes: 256 * 1024 }) : undefined;
  const summaryPath = join(dir, 'summary.json');
  return {
    dir,
    rejectsPath: rejects.path,
    failedPath: failures.path,
    payloadsPath: payloads?.path,
    summaryPath,
    rejected: (rejection) => rejects.write(rejection),
    // The API's code and message may quote what it refused (an email) or echo our request: scrubbed.
    failed: (outcome) =>
      failures.write({ legacyId: outcome.legacyId, outcome: outcome.outcome, code: scrubCode(outcome.errorCode), message: scrubMessage(outcome.errorMessage) ?? undefined }),
    payload: (line) => payloads?.write(line),
    async finish(summary) {
      await Promise.all([rejects.close(), failures.close(), payloads?.close()]);
      writeFileSync(summaryPath, `${JSON.stringify(scrubSummary(summary), null, 2)}\n`, { mode: 0o600 });
    },
  };
}

function scrubCode(code: string | undefined): string | undefined {
  return code === undefined ? undefined : scrubText(code);
}
