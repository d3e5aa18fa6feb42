import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// reset asks for the job's name on a terminal; util-linux `script` gives the CLI one, and feeds it
// what the test types. A wrong answer must not look like success to a script that checks $?.
function resetOnTerminal(dir: string, typed: string): Promise<{ code: number | null; output: string }> {
  const command = `exec ${process.execPath} src/cli/bin.mjs reset --job typed --checkpoint-dir '${dir}'`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('Type the job name to confirm')) child.stdin.end(`${typed}\n`);
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('reset on a terminal', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 and keeps the checkpoint when the typed name is not the job', async () => {
    dir = mkdtempSync(join(tmpdir(), 'reset-confirm-'));
    writeFileSync(join(dir, 'typed.db'), '');
    const result = await resetOnTerminal(dir, 'not-the-job');
    expect(result.output).toMatch(/not confirmed; nothing deleted/);
    expect(result.code).toBe(2);
    expect(existsSync(join(dir, 'typed.db'))).toBe(true);
  });

  it('deletes the checkpoint and exits 0 when the job name is typed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'reset-confirm-'));
    writeFileSync(join(dir, 'typed.db'), '');
    const result = await resetOnTerminal(dir, 'typed');
    expect(result.output).toMatch(/job typed reset/);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'typed.db'))).toBe(false);
  });
});
