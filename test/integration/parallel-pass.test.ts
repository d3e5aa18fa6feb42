import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrationFixture, latestRunDir, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

// The full pass read and mapped by worker threads must be indistinguishable from the one mapped in
// the main thread: same payloads in the same order, same rejects, same counts. (The kill -9 test in
// cli-resume.test.ts runs its interrupted job with workers too.)
describe('run --workers', () => {
  let fixture: MigrationFixture;

  beforeAll(async () => {
    fixture = await createMigrationFixture({ users: 1500, seed: 31 });
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  const dryRun = async (job: string, mapping: string, workers: number) => {
    const result = await runCli(['run', '--mapping', mapping, '--job', job, '--database-url', fixture.db.url, '--dry-run', '--page-size', '70', '--workers', String(workers), ...fixture.dirArgs]);
    return { result, dir: latestRunDir(fixture.dir, job) };
  };
  const fileOf = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

  it('writes the same payloads, rejects and counts as the main thread does', async () => {
    const inThread = await dryRun('in-thread', 'mappings/example.ts', 0);
    const inWorkers = await dryRun('in-workers', 'mappings/example.ts', 3);
    expect(inWorkers.result.stderr).not.toMatch(/unexpected error/);
    expect(inWorkers.result.code).toBe(inThread.result.code);
    const payloads = fileOf(inWorkers.dir, 'payloads.jsonl');
    expect(payloads.split('\n').filter(Boolean)).toHaveLength(fixture.expectedValid);
    expect(payloads).toBe(fileOf(inThread.dir, 'payloads.jsonl'));
    expect(fileOf(inWorkers.dir, 'rejects.jsonl')).toBe(fileOf(inThread.dir, 'rejects.jsonl'));
    const counts = (job: string) => {
      const { durationMs: _duration, job: _job, ...rest } = latestSummary(fixture.dir, job);
      return rest;
    };
    expect(counts('in-workers')).toEqual(counts('in-thread'));
    expect(counts('in-workers')).toMatchObject({ addsUp: true, wouldSend: fixture.expectedValid, rejected: fixture.seeded.deliberatelyInvalid });
  });

  it('reports a failure inside a worker as the main thread would: same message, same exit code', async () => {
    const mapping = JSON.parse(readFileSync('mappings/example.json', 'utf8')) as { source: { children: { wallets: { table: string } } } };
    mapping.source.children.wallets.table = 'no_such_wallets';
    const broken = join(fixture.dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(mapping));
    const inThread = await runCli(['run', '--mapping', broken, '--job', 'broken-0', '--database-url', fixture.db.url, '--dry-run', '--workers', '0', ...fixture.dirArgs]);
    const inWorkers = await runCli(['run', '--mapping', broken, '--job', 'broken-2', '--database-url', fixture.db.url, '--dry-run', '--workers', '2', ...fixture.dirArgs]);
    const stoppedLine = (stdout: string) => stdout.split('\n').find((line) => line.includes('stopped early'));
    expect(stoppedLine(inThread.stdout)).toMatch(/reading child "wallets" from table "no_such_wallets".*does not exist/);
    expect(stoppedLine(inWorkers.stdout)).toBe(stoppedLine(inThread.stdout));
    expect(inWorkers.stderr).not.toMatch(/unexpected error/);
    expect(inWorkers.code).toBe(inThread.code);
  });
});
