import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ApiUser, EmulatorStats } from '../../src/emulator/index.js';
import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LISTENING = /^Dynamic API emulator listening on (\S+)$/m;
const START_TIMEOUT_MS = 20_000;

export interface EmulatorProcess {
  /** e.g. `http://127.0.0.1:PORT/api/v0`. */
  baseUrl: string;
  /** The token the emulator accepts (`--token` if given, else the default). */
  token: string;
  /** The child's process id. */
  pid: number;
  /** SIGTERM, then waits for exit; resolves with the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
  stats(): Promise<EmulatorStats>;
  /** Every user of the environment, all pages, in creation order. */
  listUsers(environmentId: string): Promise<ApiUser[]>;
}

/**
 * Starts `dynamic-migrate emulator --port 0 ...args` as a real child process and waits for its
 * listening line. The token reaches the child through DYNAMIC_API_TOKEN unless `--token` is given.
 */
export async function startEmulatorProcess(args: string[] = []): Promise<EmulatorProcess> {
  const tokenIndex = args.indexOf('--token');
  const token = tokenIndex >= 0 ? (args[tokenIndex + 1] ?? '') : DEFAULT_EMULATOR_TOKEN;
  const child = spawn(process.execPath, ['src/cli/bin.mjs', 'emulator', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DYNAMIC_API_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = LISTENING.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code} before listening: ${stderr}`));
    });
  });
  const origin = new URL(baseUrl).origin;
  const auth = { authorization: `Bearer ${token}` };

  return {
    baseUrl,
    token,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    stats: async () => (await (await fetch(`${origin}/__emulator/stats`)).json()) as EmulatorStats,
    listUsers: async (environmentId) => {
      const users: ApiUser[] = [];
      for (;;) {
        const res = await fetch(`${baseUrl}/environments/${environmentId}/users?offset=${users.length}&limit=100`, { headers: auth });
        if (!res.ok) throw new Error(`listing users failed: HTTP ${res.status} ${await res.text()}`);
        const page = (await res.json()) as { count: number; users: ApiUser[] };
        users.push(...page.users);
        if (page.users.length === 0 || users.length >= page.count) return users;
      }
    },
  };
}
