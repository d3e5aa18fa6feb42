import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../src/errors.js';
import { RateLimiter } from '../../src/load/index.js';
import { listTargetUsers, type ListTargetUsersOptions } from '../../src/reconcile/index.js';

const TOKEN = 'dyn_secret_token_for_tests';
const ENV = '0f0e0d0c-0b0a-4909-8807-060504030201';
const USERS = Array.from({ length: 250 }, (_, i) => ({ id: `u${i}`, metadata: { legacyId: String(i + 1) } }));

// A real HTTP server in this process: the list client's paging and retries over a real socket,
// with answers scripted per request (the emulator injects faults into bulk requests only).
describe('listTargetUsers', () => {
  let baseUrl = '';
  const requests: string[] = [];
  let script: Array<(res: ServerResponse) => void> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const scripted = script.shift();
    if (scripted) return scripted(res);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `bad token ${String(req.headers.authorization)}` }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: USERS.length, users: USERS.slice(offset, offset + limit) }));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v0`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const list = async (overrides: Partial<ListTargetUsersOptions> = {}) => {
    const seen = [];
    for await (const page of listTargetUsers({
      baseUrl, environmentId: ENV, token: TOKEN, rateLimiter: new RateLimiter({ perMinute: 0 }), minBackoffMs: 1, ...overrides,
    })) seen.push(...page);
    return seen;
  };

  it('reads every page with offset and limit', async () => {
    requests.length = 0;
    expect((await list()).map((user) => user.id)).toEqual(USERS.map((user) => user.id));
    expect(requests).toEqual([0, 100, 200].map((offset) => `/api/v0/environments/${ENV}/users?offset=${offset}&limit=100`));
  });

  it('retries a 503, a 429 (pausing the limiter for Retry-After) and a dropped connection', async () => {
    const retries: string[] = [];
    const rateLimiter = new RateLimiter({ perMinute: 0 });
    script = [
      (res) => res.writeHead(503).end('{"error":"busy"}'),
      (res) => res.writeHead(429, { 'retry-after': '0.05' }).end('{"message":"Too many requests","code":429}'),
      (res) => res.socket?.destroy(),
    ];
    const started = Date.now();
    const users = await list({ rateLimiter, onRetry: ({ reason }) => retries.push(reason) });
    expect(users).toHaveLength(USERS.length);
    expect(retries).toEqual([expect.stringMatching(/^503/), expect.stringMatching(/^429/), expect.stringMatching(/network error/)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('fails at once on 401 without retrying and without echoing the token', async () => {
    requests.length = 0;
    const error = await list({ token: 'wrong-token-value' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).details.status).toBe(401);
    expect((error as LoadError).message).toMatch(/DYNAMIC_API_TOKEN/);
    expect((error as LoadError).message).not.toContain('wrong-token-value');
    expect(requests).toHaveLength(1);
  });

  it('reads on through more 429s than it has retries: the rate limit is not a fault of the request', async () => {
    const statuses: Array<number | undefined> = [];
    script = Array.from({ length: 4 }, () => (res: ServerResponse) =>
      res.writeHead(429, { 'retry-after': '0.01' }).end('{"message":"Rate limit exceeded","code":429}'));
    const users = await list({ retries: 1, onRetry: ({ status }) => statuses.push(status) });
    expect(users).toHaveLength(USERS.length);
    expect(statuses).toEqual([429, 429, 429, 429]);
  });

  it('gives up after the retries run out', async () => {
    script = Array.from({ length: 3 }, () => (res: ServerResponse) => res.writeHead(500).end());
    const error = await list({ retries: 2 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).message).toMatch(/after 3 attempt/);
    script = [];
  });
});
