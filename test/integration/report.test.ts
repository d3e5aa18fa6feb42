import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrationFixture, latestRunDir, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { createExampleFixture } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';
import { NASTY, SHARED_ETH_UPPER, seedPlainUsers } from '../fixtures/plain-users/seed.js';
import type { ReportJson } from '../../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
/** Debian's chromium, headless, with everything that would phone home switched off. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Which field each deliberately invalid kind of the demo seed is caught on, and in which section: rejected, or dropped (the user sent without it). */
const FIELD_OF_KIND: Record<string, { field: string; section: 'rejects' | 'dropped' }> = {
  emoji_in_name: { field: 'firstName', section: 'dropped' },
  long_username: { field: 'username', section: 'dropped' },
  alpha3_country: { field: 'country', section: 'dropped' },
  malformed_email: { field: 'email', section: 'rejects' },
  dogecoin_wallet: { field: 'wallets[*].chain', section: 'rejects' },
};

// A dry run of the demo data, as a user runs it, then its report.html opened in a real browser.
describe('the run report', () => {
  let fixture: MigrationFixture;
  let browser: BrowserContext | undefined;
  let runDir: string;
  let summary: Record<string, unknown>;
  const job = 'report';

  beforeAll(async () => {
    // 500 users with one invalid every 100th: each of the five invalid kinds once.
    fixture = await createMigrationFixture({ users: 500, seed: 5 });
    const result = await runCli(['run', '--dry-run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, ...fixture.dirArgs]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    runDir = latestRunDir(fixture.dir, job);
    summary = latestSummary(fixture.dir, job);
  });
  afterAll(async () => {
    await browser?.close();
    await fixture?.cleanup();
  });

  it('writes report.html, report.json and rejects.csv next to the summary, mode 0600', () => {
    for (const file of ['report.html', 'report.json', 'rejects.csv']) {
      expect(existsSync(join(runDir, file)), file).toBe(true);
      expect(statSync(join(runDir, file)).mode & 0o777).toBe(0o600);
    }
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as ReportJson;
    expect(report.totals).toMatchObject({ eligible: summary.extracted, create: summary.wouldSend, rejected: summary.rejected });
    expect(report.rejects.reduce((rows, group) => rows + group.rows, 0)).toBeGreaterThanOrEqual(fixture.seeded.deliberatelyInvalid);
    const csv = readFileSync(join(runDir, 'rejects.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('row_id,field,rule,masked_value,message');
    for (const { key, kind } of fixture.seeded.invalid) {
      expect(csv.some((line) => line.startsWith(`${key},`)), key).toBe(FIELD_OF_KIND[kind]?.section === 'rejects');
    }
    // The values dropped so their users could be sent: each kind once, with its example row.
    const dropped = fixture.seeded.invalid.filter(({ kind }) => FIELD_OF_KIND[kind]?.section === 'dropped');
    expect(dropped).toHaveLength(fixture.seeded.droppedValue);
    for (const { key, kind } of dropped) {
      const group = report.dropped.find((entry) => entry.field === FIELD_OF_KIND[kind]?.field);
      expect(group?.examples.map((example) => example.legacyId), kind).toContain(key);
    }
  });

  it('never holds a clear email of the source, in any of the three files', async () => {
    const rows = await sql<{ email: string }>`select email from users where email is not null union select email from user_identities where email is not null`.execute(fixture.db.admin);
    expect(rows.rows.length).toBeGreaterThan(100);
    const files = ['report.html', 'report.json', 'rejects.csv'].map((file) => readFileSync(join(runDir, file), 'utf8').toLowerCase());
    for (const { email } of rows.rows) {
      const needle = email.trim().toLowerCase();
      for (const text of files) expect(text.includes(needle), 'a clear email in the report').toBe(false);
    }
  });

  it('opens offline in headless chromium, shows the summary\'s totals and every seeded reject reason', async () => {
    // A fresh profile in the fixture's folder (playwright takes it here, not as --user-data-dir).
    browser = await chromium.launchPersistentContext(join(fixture.dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
    });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${join(runDir, 'report.html')}`);

    const total = async (key: string) => Number((await page.locator(`[data-total="${key}"] .n`).innerText()).replace(/,/g, ''));
    expect(await total('eligible')).toBe(summary.extracted);
    expect(await total('create')).toBe(summary.wouldSend);
    expect(await total('rejected')).toBe(summary.rejected);
    expect(await total('failed')).toBe(summary.failed);
    expect(await page.locator('h1').innerText()).toContain(job);
    expect(await page.locator('.badge').innerText()).toMatch(/Dry run/);

    const fieldsOf = (table: string) => page.locator(`#${table} tbody tr`).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-field')));
    const fields = { rejects: await fieldsOf('rejects-table'), dropped: await fieldsOf('dropped-table') };
    const kinds = new Set(fixture.seeded.invalid.map((invalid) => invalid.kind));
    expect(kinds.size).toBe(5);
    for (const kind of kinds) {
      const where = FIELD_OF_KIND[kind];
      expect(where && fields[where.section], kind).toContain(where?.field);
    }
    expect(await page.locator('#coverage svg').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#samples details').count()).toBe(20);

    const screenshot = join(fixture.dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    // Kept for a person to look at when REPORT_SCREENSHOT names a path.
    if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });
});

// The plain-users example holds a case-twin email and a wallet shared in two cases: its mapping has
// no duplicates policy, so the report's own detector must still show both clusters, masked.
describe('the run report of an example schema with duplicates', () => {
  let fixture: ExampleFixture;

  beforeAll(async () => {
    fixture = await createExampleFixture(async (db) => {
      await seedPlainUsers(db);
    });
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('lists each duplicate cluster with its rows and a masked key', async () => {
    const result = await runCli(['run', '--dry-run', '--mapping', 'mappings/plain-users.ts', '--database-url', fixture.db.url, ...fixture.dirArgs]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    const runDir = latestRunDir(fixture.dir, 'plain-users');
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as ReportJson;
    expect(report.duplicates.available).toBe(true);
    const ids = (kind: string) => report.duplicates.clusters.filter((cluster) => cluster.kind === kind).map((cluster) => cluster.legacyIds);
    expect(ids('email')).toContainEqual([String(NASTY.emailFirst), String(NASTY.emailSameButCase)]);
    expect(ids('wallet').some((legacyIds) => legacyIds.includes(String(NASTY.sameEthOtherCase)))).toBe(true);
    const text = `${readFileSync(join(runDir, 'report.json'), 'utf8')}${readFileSync(join(runDir, 'report.html'), 'utf8')}`.toLowerCase();
    expect(text).not.toContain('sam.lee@example.com');
    expect(text).not.toContain(SHARED_ETH_UPPER.toLowerCase());
    expect(text).toContain('id="duplicates-table"');
  });
});
