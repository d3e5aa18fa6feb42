import { mkdtempSync, readFileSync, readdirSync as readdir, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunReport } from '../../../src/report/index.js';
import type { DuplicateClusterSource, ReportJson } from '../../../src/report/index.js';
import type { RunSummary } from '../../../src/pipeline/run-summary.js';
import { mapping, syntheticRow } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function summary(rows: number, rejected: number): RunSummary {
  return {
    job: 'unit', dryRun: true, interrupted: false, durationMs: 1, addsUp: true, warnings: {},
    extracted: rows, alreadySettled: 0, created: 0, updated: 0, alreadyExisted: 0, conflicts: 0, rejected, failed: 0, wouldSend: rows - rejected, inDoubt: 0, unchanged: 0,
  };
}

describe('createRunReport', () => {
  it('writes report.json, report.html and rejects.csv (mode 0600) with masked samples and every reject', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-report-test-'));
    dirs.push(dir);
    const report = createRunReport({ job: 'unit', dryRun: true, spec: mapping, legacyIdKey: 'legacyId', sampleSize: 5, now: () => new Date('2026-01-01T00:00:00Z') });
    const results = Array.from({ length: 3_000 }, (_, i) => syntheticRow(i + 1));
    for (const result of results) report.mapped(result);
    report.settled(results.filter((result) => result.ok).map((result) => ({ legacyId: result.legacyId, outcome: 'would_send' as const })));
    const files = await report.finish(summary(3_000, 300), join(dir, 'run'));

    const json = JSON.parse(readFileSync(files.json, 'utf8')) as ReportJson;
    expect(json).toMatchObject({ version: 1, job: 'unit', totals: { eligible: 3_000, create: 2_700, rejected: 300 } });
    expect(json.coverage.mapped).toBe(2_700);
    expect(json.samples).toHaveLength(5);
    expect(json.samples.every((sample) => sample.outcome === 'would_send')).toBe(true);
    expect(json.duplicates).toEqual({ available: false, total: 0, clusters: [] });
    const csv = readFileSync(files.rejectsCsv, 'utf8').trimEnd().split('\r\n');
    expect(csv).toHaveLength(301);
    expect(csv[1]).toMatch(/^10,email,pattern,b…0 \(17 chars\),/);
    for (const file of Object.values(files)) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(/person\.\d+@example\.com/i);
      expect(text).not.toContain('broken address');
      expect(text).not.toContain('+4915112345678');
    }
    expect(readFileSync(files.html, 'utf8')).toContain('Migration report: unit');
  });

  it('shows the clusters of the duplicate source it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-report-test-'));
    dirs.push(dir);
    const seen: string[] = [];
    const duplicates: DuplicateClusterSource = {
      observe: (result) => void seen.push(result.legacyId),
      clusters: () => [{ kind: 'email', key: 'p…m (17 chars)', rows: 2, legacyIds: ['1', '2'], resolution: 'sent: 1; rejected: 2' }],
    };
    const report = createRunReport({ job: 'unit', dryRun: true, spec: mapping, legacyIdKey: 'legacyId', duplicates });
    for (let i = 1; i <= 3; i++) report.mapped(syntheticRow(i));
    const files = await report.finish(summary(3, 0), dir);
    expect(seen).toEqual(['1', '2', '3']);
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as ReportJson;
    expect(json.duplicates).toMatchObject({ available: true, total: 1, clusters: [{ kind: 'email', rows: 2 }] });
    expect(readFileSync(files.html, 'utf8')).toContain('sent: 1; rejected: 2');
  });

  it('scrubs what the API or the database said: the fatal error, the failure codes and why the comparison stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-report-test-'));
    dirs.push(dir);
    const report = createRunReport({ job: 'unit', dryRun: false, spec: mapping, legacyIdKey: 'legacyId' });
    report.mapped(syntheticRow(1));
    report.settled([{ legacyId: '1', outcome: 'failed', errorCode: 'taken_by_jane.doe@example.com', errorMessage: 'x' }]);
    const target = { compared: 0, create: 0, update: 0, conflict: 0, notCompared: 1, examples: { conflict: [], update: [] }, error: '401: Bearer dyn_Lr2Wv9Xp4Kd7N refused' };
    const fatal = { ...summary(1, 0), dryRun: false, interrupted: true, fatalError: 'cannot read postgres://app:Hq3Vx8Rt5Jm1@db/legacy for jane.doe@example.com' };
    const files = await report.finish(fatal, dir, target);
    for (const file of [files.json, files.html]) {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain('Hq3Vx8Rt5Jm1');
      expect(text).not.toContain('dyn_Lr2Wv9Xp4Kd7N');
      expect(text).not.toContain('jane.doe@example.com');
    }
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as ReportJson;
    expect(json.fatalError).toBe('cannot read postgres://app:[redacted]@db/legacy for j…m (20 chars)');
    expect(json.failures).toEqual([{ code: 't…m (29 chars)', count: 1, examples: ['1'] }]);
    expect(json.target?.error).toBe('401: Bearer [redacted] refused');
  });

  it('leaves no scratch file behind when discarded (a run that threw)', async () => {
    // os.tmpdir() follows TMPDIR: a private one, so other tests' scratch folders do not count.
    const privateTmp = mkdtempSync(join(tmpdir(), 'dm-report-test-'));
    dirs.push(privateTmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const report = createRunReport({ job: 'unit', dryRun: true, spec: mapping, legacyIdKey: 'legacyId' });
      report.mapped(syntheticRow(10));
      expect(readdir(privateTmp)).toHaveLength(1);
      await report.discard();
      await report.discard();
      expect(readdir(privateTmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
