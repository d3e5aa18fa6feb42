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
  /** Creates users as someone else would (one bulk request, no upsert); returns them as created. */
  createUsers(environmentId: string, users: unknown[]): Promise<ApiUser[]>;
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
  const listAllUsers = async (environmentId: string): Promise<ApiUser[]> => {
    const users: ApiUser[] = [];
    for (;;) {
      const res = await fetch(`${baseUrl}/environments/${environmentId}/users?offset=${users.length}&limit=100`, { headers: auth });
      if (!res.ok) throw new Error(`listing users failed: HTTP ${res.status} ${await res.text()}`);
      const page = (await res.json()) as { count: number; users: ApiUser[] };
      users.push(...page.users);
      if (page.users.length === 0 || users.length >= page.count) return users;
    }
  };

  return {
    baseUrl,
    token,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    stats: async () => (await (await fetch(`${origin}/__emulator/stats`)).json()) as EmulatorStats,
    createUsers: async (environmentId, users) => {
      // As another client of the environment would: straight to the bulk endpoint, no upsert. An
      // emulator with faults may refuse (429, 5xx: nothing stored) or drop the answer after storing:
      // then the users it stored are found by listing, and only the others are sent again.
      const emails = (list: unknown[]) => list.map((user) => String((user as { email?: string }).email ?? ''));
      let pending = users;
      const created: ApiUser[] = [];
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 50) throw new Error('createUsers: the emulator kept refusing');
        let res: Response;
        try {
          res = await fetch(`${baseUrl}/environments/${environmentId}/users/bulk`, {
            method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(pending),
          });
        } catch {
          const stored = new Set(emails(await listAllUsers(environmentId)));
          pending = pending.filter((user) => !stored.has(emails([user])[0]!));
          continue;
        }
        if (res.status === 429 || res.status >= 500) {
          await res.text();
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        const body = (await res.json()) as { created: ApiUser[]; failed: unknown[] };
        if (!res.ok || body.failed.length > 0) throw new Error(`creating users failed: HTTP ${res.status} ${JSON.stringify(body)}`);
        created.push(...body.created);
        pending = [];
      }
      return created;
    },
    listUsers: listAllUsers,
  };
}
