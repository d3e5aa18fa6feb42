import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MappingSpec, MapResult, Rejection } from '../mapping/index.js';
import type { PipelineOutcome } from '../pipeline/batch-sender.js';
import type { RunSummary } from '../pipeline/run-summary.js';
import { buildReportJson } from './build-report-json.js';
import { CoverageTally } from './coverage-tally.js';
import type { DuplicateClusterSource } from './duplicate-clusters.js';
import { FailureTally } from './failure-tally.js';
import { maskPayload } from './mask-payload.js';
import { openRejectsCsv } from './rejects-csv.js';
import { renderReportHtml } from './render-report-html.js';
import type { ReportSample, ReportTarget } from './report-json.js';
import { SampleReservoir } from './sample-reservoir.js';

export interface RunReportOptions {
  job: string;
  dryRun: boolean;
  spec: MappingSpec;
  /** The metadata key holding the legacy id: shown in clear in samples (it is a row id). */
  legacyIdKey: string;
  /** Masked payloads kept as samples. @default 20 */
  sampleSize?: number;
  /** A duplicate detector fed every mapped row; without one the report says duplicates were not looked at. */
  duplicates?: DuplicateClusterSource;
  /** @default () => new Date() */
  now?: () => Date;
  /** For the sample pick. @default Math.random */
  random?: () => number;
  /**
   * rejects.csv is written from the job's record of rejections (`rejected`) rather than as rows
   * are mapped: a real run, whose record survives a kill that a file being written does not.
   * @default false
   */
  rejectsFromRecord?: boolean;
}

/** The three files a run's report leaves in its folder. */
export interface RunReportFiles {
  html: string;
  json: string;
  rejectsCsv: string;
}

/** The report collector: its `mapped` and `settled` are `RunRecorder` hooks. */
export interface RunReport {
  mapped(result: MapResult): void;
  /** One line of rejects.csv, with `rejectsFromRecord`. */
  rejected(rejection: Rejection): void;
  settled(outcomes: readonly PipelineOutcome[]): void;
  /** Writes `report.json`, `report.html` and `rejects.csv` (mode 0600) into `dir`; `target` when the run compared with Dynamic. */
  finish(summary: RunSummary, dir: string, target?: ReportTarget): Promise<RunReportFiles>;
  /** Removes the scratch rejects file if `finish` never ran (a run that threw); idempotent. */
  discard(): Promise<void>;
}

/**
 * Collects a run's report in bounded memory, however many rows: counts and a few example ids per
 * reject reason, a reservoir of masked sample payloads, and rejects streamed to a scratch CSV
 * (moved into the run's folder by `finish`, since the folder is only named at the end).
 */
export function createRunReport(options: RunReportOptions): RunReport {
  const tally = new CoverageTally(options.spec);
  const failures = new FailureTally();
  const samples = new SampleReservoir<ReportSample>(options.sampleSize ?? 20, options.random);
  const scratch = mkdtempSync(join(tmpdir(), 'dm-report-'));
  const rejects = openRejectsCsv(join(scratch, 'rejects.csv'));
  let closed = false;
  let sampled = new Map<string, ReportSample>();
  let sampledAt = 0;

  const closeScratch = async () => {
    if (closed) return;
    closed = true;
    await rejects.close();
  };

  return {
    mapped(result) {
      tally.add(result);
      options.duplicates?.observe(result);
      if (!result.ok) {
        if (!options.rejectsFromRecord) for (const rejection of result.rejections) rejects.write(rejection);
        return;
      }
      samples.offer(() => ({ legacyId: result.legacyId, payload: maskPayload(result.payload, options.legacyIdKey) }));
    },
    rejected(rejection) {
      rejects.write(rejection);
    },
    settled(outcomes) {
      // The samples change rarely once the reservoir is full: index them again only then.
      if (sampledAt !== samples.changes) {
        sampledAt = samples.changes;
        sampled = new Map(samples.items().map((sample) => [sample.legacyId, sample]));
      }
      for (const outcome of outcomes) {
        failures.add(outcome);
        const sample = sampled.get(outcome.legacyId);
        if (sample) sample.outcome = outcome.outcome;
      }
    },
    async finish(summary, dir, target) {
      await closeScratch();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const files: RunReportFiles = { html: join(dir, 'report.html'), json: join(dir, 'report.json'), rejectsCsv: join(dir, 'rejects.csv') };
      moveFile(rejects.path, files.rejectsCsv);
      rmSync(scratch, { recursive: true, force: true });
      const { coverage, rejects: rejectGroups, warnings, dropped } = tally.result();
      const report = buildReportJson(
        summary,
        { coverage, rejects: rejectGroups, warnings, dropped, failures: failures.result(), duplicates: options.duplicates?.clusters(), duplicateSummary: options.duplicates?.summary?.(), usernameChanges: options.duplicates?.usernameChanges?.(), samples: samples.items(), ...(target ? { target } : {}) },
        (options.now ?? (() => new Date()))(),
      );
      writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
      writeFileSync(files.html, renderReportHtml(report), { mode: 0o600 });
      return files;
    },
    async discard() {
      await closeScratch();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Rename, or copy then delete when the scratch folder is on another file system. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}
