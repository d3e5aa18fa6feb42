import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson } from '../../src/report/index.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestRunDir } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import type { CliResult } from '../helpers/run-cli.js';

const legacyIdOf = (user: Record<string, unknown>) => (user.metadata as Record<string, unknown> | undefined)?.legacyId;

// `run --dry-run --compare-target` against an environment a first job filled, then partly emptied
// (deleted users come back as `create`) and where someone else took one of the source's emails.
describe('dynamic-migrate run --compare-target', () => {
  let fixture: MigrationFixture;
  let emulator: EmulatorProcess;
  let ours = 0;
  let stored = 0;
  let deleted = 0;
  let emails: string[] = [];
  let bulkBefore = 0;
  let requestsBefore = 0;
  let result: CliResult;

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 80, seed: 31 });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const first = await runCli(['run', '--mapping', 'mappings/example.ts', '--job', 'first', '--database-url', fixture.db.url, ...fixture.dirArgs], env);
    expect(first.stderr).not.toMatch(/unexpected error/);

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    const auth = { authorization: `Bearer ${emulator.token}` };
    const withEmail = users.filter((user) => typeof user.email === 'string' && legacyIdOf(user) !== undefined);
    expect(withEmail.length).toBeGreaterThan(20);
    emails = users.map((user) => user.email).filter((email): email is string => typeof email === 'string');
    // Five of ours deleted (a rerun creates them again); a sixth deleted and its email taken by someone else.
    const [taken, ...rest] = withEmail;
    for (const user of [taken, ...rest.slice(0, 5)]) {
      const response = await fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/${String(user?.id)}`, { method: 'DELETE', headers: auth });
      expect(response.ok).toBe(true);
    }
    deleted = 5;
    const foreign = await fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/bulk`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify([{ email: String(taken?.email).toUpperCase(), metadata: { legacyId: 'someone-else' } }]),
    });
    expect(foreign.ok, await foreign.clone().text()).toBe(true);
    // Users with neither email nor username cannot be looked up: they count as not compared.
    const lookedUp = (user: Record<string, unknown>) => typeof user.email === 'string' || typeof user.username === 'string';
    ours = users.filter((user) => legacyIdOf(user) !== undefined && lookedUp(user)).length - deleted - 1;
    stored = users.length;

    const stats = await emulator.stats();
    bulkBefore = stats.bulkRequests;
    requestsBefore = stats.requests;
    result = await runCli(['run', '--dry-run', '--compare-target', '--mapping', 'mappings/example.ts', '--job', 'compare', '--database-url', fixture.db.url, ...fixture.dirArgs], env);
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('predicts create for the deleted users, update for ours, conflict for the foreign holder', () => {
    expect(result.stderr).not.toMatch(/unexpected error/);
    const report = JSON.parse(readFileSync(join(latestRunDir(fixture.dir, 'compare'), 'report.json'), 'utf8')) as ReportJson;
    expect(report.target).toMatchObject({ create: deleted, update: ours, conflict: 1, compared: deleted + ours + 1 });
    expect(report.target?.examples.conflict).toHaveLength(1);
    expect(report.target?.examples.update.length).toBe(Math.min(10, ours));
    expect(report.target?.error).toBeUndefined();
    expect((report.target?.compared ?? 0) + (report.target?.notCompared ?? 0)).toBe(report.totals.create);
    expect(result.stdout).toMatch(/in Dynamic\s+\d+ compared: 5 new, \d+ already ours, 1 conflict/);
  });

  it('only reads: no bulk request during the dry run, only lookups', async () => {
    const stats = await emulator.stats();
    expect(stats.bulkRequests).toBe(bulkBefore);
    expect(stats.requests).toBeGreaterThan(requestsBefore);
    expect((await emulator.listUsers(ENVIRONMENT_ID)).length).toBe(stored - deleted);
  });

  it('shows the comparison in report.html with row ids, never an email in clear', () => {
    const page = readFileSync(join(latestRunDir(fixture.dir, 'compare'), 'report.html'), 'utf8');
    expect(page).toContain('Compared with Dynamic');
    expect(page).toMatch(/data-target="conflict"><span class="n">1</);
    for (const email of emails) expect(page.toLowerCase()).not.toContain(email.toLowerCase());
  });
});
