import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('the dynamic-migrate program', () => {
  it("starts node with V8's young generation widened, from its shebang", async () => {
    // A preload that only reports the flags node was started with.
    const preload = 'data:text/javascript,process.stderr.write(`execArgv=${JSON.stringify(process.execArgv)}\\n`)';
    const result = await runCli(['--version'], { NODE_OPTIONS: `--import=${preload}` });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const execArgv = JSON.parse(/execArgv=(.*)/.exec(result.stderr)?.[1] ?? 'null') as string[];
    expect(execArgv).toContain('--max-semi-space-size=32');
  });
});
