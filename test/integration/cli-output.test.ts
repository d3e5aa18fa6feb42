import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

// What `run` prints in each output mode, as a pipeline or a person sees it.
describe('dynamic-migrate run output modes', () => {
  let fixture: MigrationFixture;
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;
  let emails: string[];

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 60, seed: 31 });
    emulator = await startEmulatorProcess(['--rate-limit', '0', '--failure-rate', '0.3', '--seed', '7']);
    const rows = await fixture.db.admin.selectFrom('users').select(['email']).execute();
    emails = rows.map((row) => String(row.email ?? '').trim().toLowerCase()).filter((email) => email.includes('@'));
    expect(emails.length).toBeGreaterThan(10);
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  const apiEnv = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });
  const run = (job: string, ...extra: string[]) =>
    runCli(['run', '--mapping', 'mappings/example.ts', '--job', job, '--database-url', fixture.db.url, ...fixture.dirArgs, '--batch-size', '20', ...extra], apiEnv());

  it('--log-format json: every stderr line is a JSON event, with no token and no email from the source', async () => {
    const result = await run('json-job', '--log-format', 'json');
    expect([0, 3]).toContain(result.code);
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    const events = lines.map((line) => JSON.parse(line) as { event: string; level: string; time: string; summary?: Record<string, unknown> });
    const kinds = events.map((event) => event.event);
    expect(kinds[0]).toBe('started');
    expect(kinds.at(-1)).toBe('finished');
    expect(kinds).toContain('retry'); // --failure-rate makes the emulator refuse some batches
    expect(events.at(-1)?.summary).toMatchObject({ job: 'json-job', addsUp: true });
    for (const event of events) expect(Date.parse(event.time)).not.toBeNaN();
    expect(result.stderr).not.toContain(emulator.token);
    for (const email of emails) expect(result.stderr).not.toContain(email);
  });

  it('--log-format json reports a configuration error as a JSON line too', async () => {
    const result = await runCli(['run', '--mapping', 'mappings/example.ts', '--job', 'x', '--database-url', fixture.db.url, '--log-format', 'json'], {});
    expect(result.code).toBe(2);
    const events = result.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toEqual([expect.objectContaining({ event: 'error', level: 'error', code: 'config_error', exitCode: 2 })]);
  });

  it('--quiet prints only the summary', async () => {
    const result = await run('quiet-job', '--quiet');
    expect([0, 3]).toContain(result.code);
    expect(result.stderr).toBe('');
    expect(result.stdout.trimStart()).toMatch(/^Summary of job quiet-job/);
    expect(result.stdout).toMatch(/check\s+ok/);
  });

  it('plain progress lines (no terminal) name rows/s, requests/min against the limit and the counts', async () => {
    const result = await run('text-job', '--rate-limit', '600');
    expect([0, 3]).toContain(result.code);
    expect(result.stderr).toMatch(/^job text-job: run over \d+ source rows/m);
    // The first progress event always prints a line; later ones every few seconds.
    expect(result.stderr).toMatch(/progress: \d+\/\d+ rows \(created \d+, updated \d+, already there \d+, unchanged \d+, rejected \d+, conflicts \d+, failed \d+\) \d+ rows\/s, \d+\/600 req\/min, ETA \S+/);
  });
});
