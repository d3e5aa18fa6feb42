import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../src/report/escape-html.js';
import { buildReportJson } from '../../../src/report/build-report-json.js';
import { renderReportHtml } from '../../../src/report/render-report-html.js';
import type { ReportJson } from '../../../src/report/report-json.js';
import type { RunSummary } from '../../../src/pipeline/run-summary.js';

const EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>';

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    job: 'demo', dryRun: true, interrupted: false, durationMs: 10, addsUp: true, warnings: {},
    extracted: 1234, alreadySettled: 0, created: 0, updated: 0, alreadyExisted: 0, conflicts: 0, rejected: 34, failed: 0, wouldSend: 1200, inDoubt: 0, unchanged: 0,
    ...overrides,
  };
}

function report(overrides: Partial<RunSummary> = {}): ReportJson {
  return buildReportJson(
    summary(overrides),
    {
      coverage: { mapped: 1200, fields: [{ name: 'email', count: 1100, percent: 91.67 }], metadata: [{ name: EVIL, count: 3, percent: 0.25 }], wallets: { users: 0, total: 0, byChain: [] }, oauthAccounts: { users: 0, total: 0, byProvider: [] } },
      rejects: [{ field: 'firstName', rule: 'pattern', rows: 34, message: EVIL, examples: [{ legacyId: EVIL, value: '<…> (9 chars)' }] }],
      warnings: [],
      dropped: [{ field: 'phoneNumber', rule: 'transform', rows: 3, message: EVIL, examples: [{ legacyId: EVIL, value: '<…> (9 chars)' }] }],
      failures: [],
      duplicates: [{ kind: 'email', key: '<b>…', rows: 2, legacyIds: ['1', '2'], resolution: EVIL }],
      samples: [{ legacyId: '7', outcome: 'would_send', payload: { firstName: EVIL } }],
    },
    new Date('2026-01-02T03:04:05.678Z'),
  );
}

describe('escapeHtml and html``', () => {
  it('escapes the five characters that open markup or close attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes interpolations by default and nests its own markup untouched', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${['<', html`<br>`]}${undefined}</p>`.markup).toBe('<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;<br></p>');
  });
});

describe('renderReportHtml', () => {
  it('lets no value from the data inject markup', () => {
    const page = renderReportHtml(report({ job: EVIL, fatalError: EVIL }));
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('is self-contained: no script, no external URL, a CSP that fetches nothing', () => {
    const page = renderReportHtml(report());
    expect(page).not.toMatch(/<script|<link|@import|url\(/i);
    const urls = page.match(/https?:\/\/[^"'\s<]+/g) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true); // the SVG namespace, never fetched
    expect(page).toContain(`content="default-src 'none'`);
  });

  it('shows the totals in words a dry run uses, and a sentence that sums them up', () => {
    const page = renderReportHtml(report());
    expect(page).toMatch(/data-total="create"><span class="n">1,200<\/span><span class="what">Would create/);
    expect(page).toContain('Of 1,234 eligible users in the source, 1,200 would be created, 34 are rejected.');
    const real = renderReportHtml(report({ dryRun: false, wouldSend: 0, created: 1150, alreadyExisted: 50 }));
    expect(real).toMatch(/data-total="create"><span class="n">1,150<\/span><span class="what">Created/);
    expect(real).toContain('Real run');
  });

  it('says when duplicate detection did not run, rather than "none found"', () => {
    const page = renderReportHtml({ ...report(), duplicates: { available: false, total: 0, clusters: [] } });
    expect(page).toContain('Duplicate detection did not run');
  });
});

describe('buildReportJson', () => {
  it('has a version, the totals in the report\'s words, and the date it was made', () => {
    const json = report();
    expect(json).toMatchObject({ version: 1, job: 'demo', dryRun: true, generatedAt: '2026-01-02T03:04:05.678Z', interrupted: false });
    expect(json.totals).toEqual({ eligible: 1234, create: 1200, update: 0, unchanged: 0, rejected: 34, failed: 0, alreadyExisted: 0, conflicts: 0, alreadySettled: 0, inDoubt: 0 });
    expect(json.duplicates).toMatchObject({ available: true, total: 1 });
  });
});
