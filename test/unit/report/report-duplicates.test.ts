import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_DUPLICATE_PLAN } from '../../../src/duplicates/index.js';
import type { MapResult } from '../../../src/mapping/index.js';
import type { RunSummary } from '../../../src/pipeline/run-summary.js';
import { createRunReport, reportDuplicates } from '../../../src/report/index.js';
import type { ReportJson } from '../../../src/report/index.js';
import { mapping } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const user = (id: number, email: string): MapResult => ({ ok: true, legacyId: String(id), payload: { email, metadata: { legacyId: String(id) } } });
const summary = (rows: number): RunSummary => ({
  job: 'unit', dryRun: true, interrupted: false, durationMs: 1, addsUp: true, warnings: {},
  extracted: rows, alreadySettled: 0, created: 0, updated: 0, alreadyExisted: 0, conflicts: 0, rejected: 0, failed: 0, wouldSend: rows, inDoubt: 0, unchanged: 0,
});

async function runReport(results: MapResult[], options: Parameters<typeof reportDuplicates>[1]) {
  const dir = mkdtempSync(join(tmpdir(), 'dm-report-dup-'));
  dirs.push(dir);
  const report = createRunReport({ job: 'unit', dryRun: true, spec: mapping, legacyIdKey: 'legacyId', duplicates: reportDuplicates(EMPTY_DUPLICATE_PLAN, options) });
  for (const result of results) report.mapped(result);
  const files = await report.finish(summary(results.length), dir);
  return { json: JSON.parse(readFileSync(files.json, 'utf8')) as ReportJson, html: readFileSync(files.html, 'utf8') };
}

describe('reportDuplicates without a policy', () => {
  it('lists clusters with their first holder and exact row counts, and no note when it saw everything', async () => {
    const { json, html } = await runReport([user(1, 'ann@example.com'), user(2, 'bob@example.com'), user(3, 'ANN@example.com'), user(4, 'Ann@Example.com')], {});
    expect(json.duplicates).toEqual({
      available: true,
      total: 1,
      clusters: [{ kind: 'email', key: 'a…m (15 chars)', rows: 3, legacyIds: ['1', '3', '4'], resolution: expect.stringContaining('no duplicates policy') }],
    });
    expect(html).toContain('id="duplicates-table"');
    expect(html).not.toContain('id="duplicates-note"');
  });

  it('says in report.json and report.html when its fixed table filled up or it found more clusters than it lists', async () => {
    const results = Array.from({ length: 30 }, (_, i) => user(i + 1, `user${i % 10}@example.com`));
    const { json, html } = await runReport(results, { slots: 8, maxClusters: 2 });
    expect(json.version).toBe(1);
    expect(json.duplicates.total).toBe(6);
    expect(json.duplicates.clusters.map((cluster) => cluster.rows)).toEqual([3, 3]);
    expect(json.duplicates.note).toMatch(/stopped taking new identities after 6 .*table is full/);
    expect(json.duplicates.note).toContain('4 of the 6 clusters were found after the first 2: counted, not listed.');
    expect(html).toContain('id="duplicates-note"');
    expect(html).toContain('stopped taking new identities');
  });
});

describe('reportDuplicates over a table that fills before any repeat', () => {
  it('does not claim there are no duplicates', async () => {
    const { json, html } = await runReport(Array.from({ length: 20 }, (_, i) => user(i + 1, `user${i}@example.com`)), { slots: 8 });
    expect(json.duplicates).toMatchObject({ available: true, total: 0, clusters: [] });
    expect(json.duplicates.note).toContain('table is full');
    expect(html).toContain('No duplicates found among the identities compared.');
    expect(html).not.toContain('no two users share');
  });
});
