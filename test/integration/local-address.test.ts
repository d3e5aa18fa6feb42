import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientStats } from '../../src/emulator/index.js';
import { boundFetch, type BoundFetch } from '../../src/load/bound-fetch.js';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, createMigrationFixture, latestSummary } from '../helpers/migration-fixture.js';
import type { MigrationFixture } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';

// Linux routes all of 127.0.0.0/8 to the loopback interface: a socket bound to 127.0.0.2 or
// 127.0.0.3 reaches the emulator on 127.0.0.1 without any setup, and arrives as another client.

describe('the emulator, clients on two loopback addresses', () => {
  let emulator: EmulatorProcess;
  let a: BoundFetch;
  let b: BoundFetch;

  beforeAll(async () => {
    [emulator, a, b] = await Promise.all([
      startEmulatorProcess(['--rate-limit', '3', '--environment-rate-limit', '5']),
      boundFetch('127.0.0.2'),
      boundFetch('127.0.0.3'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([emulator?.stop(), a?.close(), b?.close()]);
  });

  const bulk = (from: BoundFetch, email: string) =>
    from.fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users/bulk`, {
      method: 'POST', headers: { authorization: `Bearer ${emulator.token}`, 'content-type': 'application/json' }, body: JSON.stringify([{ email }]),
    });
  const statuses = async (responses: Array<Promise<Response>>) => Promise.all(responses.map(async (response) => {
    const res = await response;
    await res.arrayBuffer();
    return res.status;
  }));

  it('gives each address its own per-IP window, and refuses both once the environment\'s is full', async () => {
    // One at a time, so the order of the answers is the order of the requests.
    const answers: number[] = [];
    for (const [from, email] of [[a, 'a1'], [a, 'a2'], [a, 'a3'], [a, 'a4'], [b, 'b1'], [b, 'b2'], [b, 'b3']] as const) {
      answers.push(...(await statuses([bulk(from, `${email}@x.io`)])));
    }
    // .2: three, then its own limit. .3: untouched by .2's full window, two, then the environment
    // is full (3 + 2 = 5): refused although .3 has a slot left.
    expect(answers).toEqual([200, 200, 200, 429, 200, 200, 429]);
    const list = await a.fetch(`${emulator.baseUrl}/environments/${ENVIRONMENT_ID}/users`, { headers: { authorization: `Bearer ${emulator.token}` } });
    expect(list.status).toBe(429);
    expect(Number(list.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await list.json()).toMatchObject({ message: 'Environment rate limit exceeded' });

    const stats = await emulator.stats();
    expect(stats.clients).toEqual({
      '127.0.0.2': { requests: 5, bulkRequests: 4, granted: 3, peakInWindow: 3, ipRateLimited: 1, environmentRateLimited: 1 },
      '127.0.0.3': { requests: 3, bulkRequests: 3, granted: 2, peakInWindow: 2, ipRateLimited: 0, environmentRateLimited: 1 },
    });
    expect(stats).toMatchObject({ bulkRequests: 7, rateLimited: 2, environmentRateLimited: 2, usersStored: 5 });
  });
});

describe('--local-address: every request of run, reconcile and rollback leaves from it', () => {
  let fixture: MigrationFixture;
  let emulator: EmulatorProcess;
  const job = 'bound';

  beforeAll(async () => {
    [fixture, emulator] = await Promise.all([createMigrationFixture({ users: 120, seed: 17 }), startEmulatorProcess(['--rate-limit', '0'])]);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  const apiEnv = () => ({ DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token });
  const runArgs = (jobName: string, ...extra: string[]) => [
    'run', '--mapping', 'mappings/example.ts', '--job', jobName, '--database-url', fixture.db.url, ...fixture.dirArgs, ...extra,
  ];
  const checkpointArgs = (jobName: string) => ['--job', jobName, '--checkpoint-dir', fixture.dirArgs[1] ?? ''];

  /** The emulator's per-IP counters that `action` changed: which addresses it saw, and what they sent. */
  async function clientsDuring(action: () => Promise<unknown>): Promise<Record<string, ClientStats>> {
    const before = (await emulator.stats()).clients;
    await action();
    const after = (await emulator.stats()).clients;
    const changed: Record<string, ClientStats> = {};
    for (const [client, stats] of Object.entries(after)) {
      const was = before[client];
      if (was?.requests === stats.requests) continue;
      changed[client] = { ...stats, requests: stats.requests - (was?.requests ?? 0), bulkRequests: stats.bulkRequests - (was?.bulkRequests ?? 0) };
    }
    return changed;
  }

  it('run --local-address 127.0.0.2 lands every user, and the emulator saw no other address', async () => {
    let code: number | null = null;
    const seen = await clientsDuring(async () => {
      const result = await runCli(runArgs(job, '--local-address', '127.0.0.2'), apiEnv());
      expect(result.stderr).not.toMatch(/unexpected error/);
      code = result.code;
    });
    expect(code).toBe(fixture.cleanExit);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ created: fixture.expectedValid, failed: 0, addsUp: true });
    expect(Object.keys(seen)).toEqual(['127.0.0.2']);
    expect(seen['127.0.0.2']?.bulkRequests).toBeGreaterThanOrEqual(Math.ceil(fixture.expectedValid / 50));
    expect((await emulator.stats()).usersStored).toBe(fixture.expectedValid);
  });

  it('the look-ups of a run go out from it too', async () => {
    // A second job into the same environment clashes on every user and looks each up (GET).
    const seen = await clientsDuring(async () => {
      const result = await runCli(runArgs('bound-again', '--local-address', '127.0.0.3'), apiEnv());
      expect(result.code).toBe(fixture.cleanExit);
    });
    expect(latestSummary(fixture.dir, 'bound-again')).toMatchObject({ alreadyExisted: fixture.expectedValid, created: 0 });
    expect(Object.keys(seen)).toEqual(['127.0.0.3']);
    const stats = seen['127.0.0.3']!;
    expect(stats.requests).toBeGreaterThan(stats.bulkRequests); // the look-ups
  });

  it('and those of --compare-target', async () => {
    const seen = await clientsDuring(async () => {
      const result = await runCli(runArgs('bound-compare', '--dry-run', '--compare-target', '--local-address', '127.0.0.4'), apiEnv());
      expect(result.stderr).not.toMatch(/unexpected error/);
    });
    expect(Object.keys(seen)).toEqual(['127.0.0.4']);
    expect(seen['127.0.0.4']).toMatchObject({ bulkRequests: 0, requests: expect.any(Number) });
  });

  it('reconcile --local-address lists the users from it', async () => {
    const seen = await clientsDuring(async () => {
      const result = await runCli(['reconcile', '--mapping', 'mappings/example.ts', '--database-url', fixture.db.url, ...checkpointArgs(job), '--local-address', '127.0.0.5'], apiEnv());
      expect(result.code).toBe(0);
    });
    expect(Object.keys(seen)).toEqual(['127.0.0.5']);
  });

  it('rollback --local-address deletes from it', async () => {
    const seen = await clientsDuring(async () => {
      const result = await runCli(['rollback', ...checkpointArgs(job), '--yes', '--local-address', '127.0.0.6'], apiEnv());
      expect(result.code).toBe(0);
    });
    expect(Object.keys(seen)).toEqual(['127.0.0.6']);
    expect(seen['127.0.0.6']?.requests).toBe(fixture.expectedValid); // one DELETE per user the job created
    expect((await emulator.stats()).usersStored).toBe(0);
  });

  it('refuses an address that is not an IP, or not one of this machine, before sending anything (exit 2)', async () => {
    const seen = await clientsDuring(async () => {
      const notIp = await runCli(runArgs('bound-bad', '--local-address', 'localhost'), apiEnv());
      expect(notIp.code).toBe(2);
      expect(notIp.stderr).toMatch(/--local-address "localhost": not an IPv4 or IPv6 address/);
      // 192.0.2.0/24 is reserved for documentation: no machine has it.
      const elsewhere = await runCli(runArgs('bound-bad', '--local-address', '192.0.2.1'), apiEnv());
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toMatch(/--local-address 192\.0\.2\.1: not an address of this machine \(EADDRNOTAVAIL\)/);
    });
    expect(seen).toEqual({});
  });
});
