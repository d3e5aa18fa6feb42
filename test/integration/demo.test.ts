import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

// `npm run demo` is the README's first command: it must keep working with no server installed.
describe('dynamic-migrate demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds an embedded database, runs a dry run and a real run against the emulator, and writes the id map', async () => {
    const result = await runCli(['demo', '--users', '300', '--checkpoint-dir', dir]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run: nothing sent/);
    const checks = result.stdout.match(/check\s+ok: (\d+) accounted for of (\d+) extracted/g) ?? [];
    expect(checks).toHaveLength(2);
    const idMapPath = /Id map \(legacy id -> Dynamic user id\): (\S+)/.exec(result.stdout)?.[1];
    expect(idMapPath).toBeDefined();
    const created = Number(/created\s+(\d+)/.exec(result.stdout)?.[1]);
    expect(created).toBeGreaterThan(250);
    const lines = readFileSync(idMapPath ?? '', 'utf8').trim().split('\n');
    expect(lines.filter((line) => line.endsWith(',created'))).toHaveLength(created);
    expect(result.stdout).toContain(`Emulator now holds ${created} users`);
  }, 120_000);
});
