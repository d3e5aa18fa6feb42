import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.js';

const ENV = '0b6c1d4e-8f2a-4c3b-9d5e-6f7a8b9c0d1e';
const OTHER_ENV = '1b6c1d4e-8f2a-4c3b-9d5e-6f7a8b9c0d1e';

function post(emu: EmulatorProcess, users: unknown, opts: { env?: string; token?: string | null; query?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? emu.token}`;
  return fetch(`${emu.baseUrl}/environments/${opts.env ?? ENV}/users/bulk${opts.query ?? ''}`, {
    method: 'POST',
    headers,
    body: typeof users === 'string' ? users : JSON.stringify(users),
  });
}

function call(emu: EmulatorProcess, method: string, path: string) {
  return fetch(`${emu.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${emu.token}` } });
}

let main: EmulatorProcess;
let limited: EmulatorProcess;
let dropping: EmulatorProcess;
let corruptStart: Promise<unknown>;
let dir: string;

// Each child process costs a CLI start-up (~1-2 s), so the scenarios share four, started together.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-it-'));
  const corruptFile = join(dir, 'corrupt.json');
  await writeFile(corruptFile, '{"version":1,');
  corruptStart = startEmulatorProcess(['--state-file', corruptFile]).then(
    (emu) => emu.stop().then(() => 'started'),
    (error: unknown) => error,
  );
  [main, limited, dropping] = await Promise.all([
    startEmulatorProcess(['--environment-id', ENV, '--token', 'dyn_test_secret']),
    startEmulatorProcess(['--rate-limit', '5', '--failure-rate', '1', '--seed', '42']),
    startEmulatorProcess(['--drop-rate', '1', '--state-file', join(dir, 'state.json')]),
  ]);
});
afterAll(async () => {
  await Promise.all([main, limited, dropping].map((emu) => emu?.stop()));
  await corruptStart;
  await rm(dir, { recursive: true, force: true });
});

describe('whole-request checks', () => {
  it('answers 400 to a malformed environment id, 401 without the right token, 403 for another environment', async () => {
    const bad = await post(main, [{ email: 'a@x.io' }], { env: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_environment_id' });
    for (const token of [null, 'dyn_wrong']) {
      const res = await post(main, [{ email: 'a@x.io' }], { token });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Unauthorized', code: 'unauthorized' });
    }
    expect((await post(main, [{ email: 'a@x.io' }], { env: OTHER_ENV })).status).toBe(403);
    expect((await call(main, 'GET', `/environments/${OTHER_ENV}/users`)).status).toBe(403);
    expect((await main.stats()).usersStored).toBe(0);
  });

  it('refuses more than 50 users, or one invalid user, and stores nothing', async () => {
    const tooMany = await post(main, Array.from({ length: 51 }, (_, i) => ({ email: `n${i}@x.io` })));
    expect(tooMany.status).toBe(400);
    const invalid = await post(main, [{ email: 'ok@x.io' }, { email: 'ok2@x.io', country: 'usa' }]);
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { code: string; details: unknown[] };
    expect(body.code).toBe('bad_request');
    expect(body.details).toEqual([{ index: 1, field: 'country', rule: expect.any(String), message: expect.any(String) }]);
    expect((await post(main, 'not json')).status).toBe(400);
    expect(await main.listUsers(ENV)).toEqual([]);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await call(main, 'GET', '/nothing/here');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  });
});

describe('users over HTTP', () => {
  it('creates, fails duplicates, upserts, lists, gets and deletes', async () => {
    const first = await post(main, [
      { email: 'Ann@x.io', username: 'ann', metadata: { legacyId: '1' } },
      { email: 'ann@X.io', metadata: { legacyId: '2' } },
    ]);
    expect(first.status).toBe(200);
    const out = (await first.json()) as { created: { id: string }[]; failed: { user: unknown; code: string }[]; total: number };
    expect(out.total).toBe(2);
    expect(out.failed).toEqual([{ user: { email: 'ann@X.io', metadata: { legacyId: '2' } }, error: expect.any(String), code: 'email_already_exists' }]);
    const id = out.created[0]!.id;

    const upserted = await (await post(main, [{ email: 'ANN@x.io', firstName: 'Ann' }], { query: '?upsert=true' })).json();
    expect(upserted).toMatchObject({ created: [], updated: [{ id, firstName: 'Ann', newUser: false }] });

    const filtered = await (await call(main, 'GET', `/environments/${ENV}/users?filter%5BfilterColumn%5D=email&filter%5BfilterValue%5D=ann%40X.IO`)).json();
    expect(filtered).toMatchObject({ count: 1, users: [{ id }] });
    expect(await (await call(main, 'GET', `/environments/${ENV}/users/${id}`)).json()).toMatchObject({ user: { id, username: 'ann' } });

    const deleted = await call(main, 'DELETE', `/environments/${ENV}/users/${id}`);
    expect(deleted.status).toBe(200);
    expect((await call(main, 'GET', `/environments/${ENV}/users/${id}`)).status).toBe(404);
    expect((await call(main, 'DELETE', `/environments/${ENV}/users/${id}`)).status).toBe(404);
  });

  it('pages through more than 100 users', async () => {
    for (let batch = 0; batch < 3; batch++) {
      const users = Array.from({ length: 50 }, (_, i) => ({ email: `p${batch}-${i}@x.io` }));
      expect((await post(main, users)).status).toBe(200);
    }
    const page = (await (await call(main, 'GET', `/environments/${ENV}/users?limit=500`)).json()) as { count: number; users: unknown[] };
    expect(page.count).toBeGreaterThanOrEqual(150);
    expect(page.users).toHaveLength(100);
    expect((await main.listUsers(ENV)).length).toBe(page.count);
  });
});

describe('faults', () => {
  it('rate-limits bulk requests per IP before injecting faults; reads are not counted', async () => {
    expect((await call(limited, 'GET', `/environments/${ENV}/users`)).status).toBe(200);
    // --failure-rate 1: the 5 requests within the limit all get an injected 5xx, nothing stored.
    for (let i = 0; i < 5; i++) expect([500, 502, 503]).toContain((await post(limited, [{ email: `r${i}@x.io` }])).status);
    const res = await post(limited, [{ email: 'r5@x.io' }]);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(await res.json()).toEqual({ message: 'Rate limit exceeded', code: 429 });
    expect(await limited.stats()).toMatchObject({ bulkRequests: 6, rateLimited: 1, injectedFailures: 5, usersStored: 0 });
  });

  it('drops the connection after storing the users, and the state file keeps them across a restart', async () => {
    await expect(post(dropping, [{ email: 'd@x.io', metadata: { legacyId: '9' } }])).rejects.toThrow();
    const stored = await dropping.listUsers(ENV);
    expect(stored.map((u) => u.email)).toEqual(['d@x.io']);
    expect(await dropping.stats()).toMatchObject({ droppedConnections: 1, usersStored: 1 });

    const file = join(dir, 'state.json');
    expect(await dropping.stop()).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const restarted = await startEmulatorProcess(['--state-file', file]);
    try {
      expect((await restarted.listUsers(ENV)).map((u) => u.id)).toEqual([stored[0]!.id]);
      expect(await (await post(restarted, [{ email: 'D@x.io' }])).json()).toMatchObject({ failed: [{ code: 'email_already_exists' }] });
    } finally {
      await restarted.stop();
    }
  });

  it('refuses to start on a corrupt state file (exit 2, clear reason)', async () => {
    const outcome = await corruptStart;
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/exited with 2 before listening: .*state file .*corrupt/s);
  });
});
