// A checkpoint writer in a child process of its own, so that it can really be killed with SIGKILL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs `fixture` (a TypeScript file under ./fixtures) with tsx until it dies of SIGKILL: its own,
 * or the one sent when `onLine` returns true for a line it printed. Resolves with every line it
 * printed; rejects when it exits any other way.
 */
export function runUntilKilled(fixture: string, args: string[], onLine: (line: string) => boolean = () => false): Promise<string[]> {
  const file = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        if (onLine(line) && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`${fixture} exited with ${code}: ${stderr}`));
    });
  });
}
