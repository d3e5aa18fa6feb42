import { afterEach, describe, expect, it } from 'vitest';
import { bulkRequestSchema, type UserPayload } from '../../src/contract/index.js';
import { LoadError } from '../../src/errors.js';
import {
  RateLimiter,
  createBulkClient,
  matchOutcomes,
  type BulkClientOptions,
  type RetryInfo,
  type UserOutcome,
} from '../../src/load/index.js';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.js';

// The loader against the real emulator, started as a child process and spoken to over HTTP.
const ENV = '3f2c1b6a-8d4e-4a7b-9c0d-1e2f3a4b5c6d';
const KEY = 'legacyId';

let emulator: EmulatorProcess | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function start(args: string[]): Promise<EmulatorProcess> {
  emulator = await startEmulatorProcess(args);
  return emulator;
}

type Sent = { legacyId: string; payload: UserPayload };

/** `count` valid users with legacy ids from `first`, as the mapper would produce them. */
function users(first: number, count: number): Sent[] {
  const sent = Array.from({ length: count }, (_, i) => {
    const legacyId = String(first + i);
    return { legacyId, payload: { email: `User${legacyId}@Example.com`, firstName: `Ada ${legacyId}`, metadata: { [KEY]: legacyId } } };
  });
  bulkRequestSchema.parse(sent.map((s) => s.payload));
  return sent;
}

function client(emu: EmulatorProcess, overrides: Partial<BulkClientOptions> = {}) {
  return createBulkClient({
    baseUrl: emu.baseUrl,
    environmentId: ENV,
    token: emu.token,
    rateLimiter: new RateLimiter({ perMinute: 0 }),
    minBackoffMs: 20,
    maxBackoffMs: 200,
    ...overrides,
  });
}

/** Sends each batch (all at once), returns every outcome. */
async function sendAll(c: ReturnType<typeof createBulkClient>, batches: Sent[][]): Promise<UserOutcome[]> {
  const results = await Promise.all(batches.map(async (batch) => {
    const { response } = await c.send(batch.map((s) => s.payload), { upsert: false });
    return matchOutcomes(batch, response, KEY);
  }));
  return results.flat();
}

/** Every sent legacy id is stored exactly once, and nothing else is. */
async function expectExactlyOnce(emu: EmulatorProcess, sent: Sent[]): Promise<Map<string, string>> {
  const stored = await emu.listUsers(ENV);
  const byLegacyId = new Map<string, string[]>();
  for (const user of stored) {
    const legacyId = String((user.metadata as Record<string, unknown>)[KEY]);
    byLegacyId.set(legacyId, [...(byLegacyId.get(legacyId) ?? []), user.id]);
  }
  expect(stored).toHaveLength(sent.length);
  expect([...byLegacyId.keys()].sort()).toEqual(sent.map((s) => s.legacyId).sort());
  expect([...byLegacyId.values()].every((ids) => ids.length === 1)).toBe(true);
  return new Map([...byLegacyId].map(([legacyId, ids]) => [legacyId, ids[0]!]));
}

describe('bulk client against the emulator', () => {
  it('lands a batch and matches every user back to its new Dynamic id', async () => {
    const emu = await start([]);
    const sent = users(1, 50);
    const outcomes = await sendAll(client(emu), [sent]);
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(50).fill('created'));
    const stored = await expectExactlyOnce(emu, sent);
    for (const outcome of outcomes) expect(outcome.dynamicUserId).toBe(stored.get(outcome.legacyId));
    expect((await emu.stats()).bulkRequests).toBe(1);
  });

  it('stops at once on a rejected token, with a clear message that does not contain it', async () => {
    const emu = await start([]);
    const wrongToken = 'dyn_wrong_token_3141592653';
    const retries: RetryInfo[] = [];
    const error = await client(emu, { token: wrongToken, onRetry: (info) => retries.push(info) })
      .send(users(1, 2).map((s) => s.payload), { upsert: false })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoadError);
    const loadError = error as LoadError;
    expect(loadError.code).toBe('unauthorized');
    expect(loadError.details).toMatchObject({ status: 401, attempt: 1 });
    expect(loadError.isAuthFailure).toBe(true);
    expect(loadError.message).toMatch(/token was rejected \(401\).*DYNAMIC_API_TOKEN/);
    expect(loadError.message).not.toContain(wrongToken);
    expect(retries).toEqual([]);
    expect((await emu.stats()).bulkRequests).toBe(1);
    expect(await emu.listUsers(ENV)).toEqual([]);
  });

  it('rides out 429s from a lower server limit, honouring Retry-After, and lands every user once', async () => {
    // A 4 s window instead of Dynamic's 60 s keeps the test short; the arithmetic is the same.
    const emu = await start(['--rate-limit', '3', '--rate-window-ms', '4000']);
    const retries: RetryInfo[] = [];
    // The client believes it may send 150/min; the server allows 3. Only 429s can save the run.
    const c = client(emu, { rateLimiter: new RateLimiter({ perMinute: 150 }), onRetry: (info) => retries.push(info) });
    const batches = [0, 1, 2, 3, 4].map((b) => users(100 + b * 10, 10));
    const startedAt = Date.now();
    const outcomes = await sendAll(c, batches);
    const elapsed = Date.now() - startedAt;

    expect(outcomes.map((o) => o.outcome)).toEqual(Array(50).fill('created'));
    await expectExactlyOnce(emu, batches.flat());
    const stats = await emu.stats();
    expect(stats.rateLimited).toBeGreaterThanOrEqual(2);
    // Retry-After pauses every request, so the client does not hammer a limited server.
    expect(stats.rateLimited).toBeLessThanOrEqual(4);
    const waits = retries.filter((r) => r.status === 429);
    expect(waits.length).toBe(stats.rateLimited);
    // The server's window is 4 s: the first refusals say "come back in ~4 s", and we did.
    expect(Math.max(...waits.map((w) => w.delayMs))).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
  }, 60_000);

  it('a 429 whose body is not JSON is still a 429: every sender pauses for its Retry-After, then goes on', async () => {
    const emu = await start(['--rate-limit', '0', '--spurious-429-rate', '0.5', '--seed', '4']);
    const retries: RetryInfo[] = [];
    const c = client(emu, { rateLimiter: new RateLimiter({ perMinute: 150 }), onRetry: (info) => retries.push(info) });
    const batches = [0, 1, 2, 3].map((b) => users(500 + b * 5, 5));
    const outcomes = await sendAll(c, batches);
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(20).fill('created'));
    const stats = await emu.stats();
    expect(stats.spurious429s).toBeGreaterThan(0);
    const waits = retries.filter((r) => r.status === 429);
    expect(waits).toHaveLength(stats.spurious429s);
    for (const wait of waits) expect(wait.delayMs).toBe(1_000); // Retry-After: 1, exactly
    expect(waits[0]!.reason).toMatch(/^429 rate_limited: Too Many Requests/);
  }, 30_000);

  it('gives up waiting for a rate-limit slot as soon as the caller aborts', async () => {
    const emu = await start(['--rate-limit', '1']);
    const c = client(emu, { rateLimiter: new RateLimiter({ perMinute: 150 }) });
    await c.send(users(1, 1).map((s) => s.payload), { upsert: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 300);
    const startedAt = Date.now();
    await expect(c.send(users(2, 1).map((s) => s.payload), { upsert: false, signal: controller.signal }))
      .rejects.toThrow('run cancelled');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('retries injected 500/502/503 to completion', async () => {
    const emu = await start(['--failure-rate', '0.5', '--seed', '1']);
    const batches = [0, 1, 2, 3, 4, 5].map((b) => users(200 + b * 10, 10));
    const outcomes = await sendAll(client(emu, { retries: 20 }), batches);
    expect(outcomes).toHaveLength(60);
    expect(outcomes.every((o) => o.outcome === 'created' || o.outcome === 'updated')).toBe(true);
    await expectExactlyOnce(emu, batches.flat());
    expect((await emu.stats()).injectedFailures).toBeGreaterThan(0);
  });

  it('replays a batch whose connection dropped after storing without upsert, and says it may have landed', async () => {
    const emu = await start(['--drop-rate', '0.5', '--seed', '7']);
    const c = client(emu, { retries: 20 });
    const batches = [0, 1, 2, 3, 4, 5].map((b) => users(300 + b * 10, 10));
    const answers = await Promise.all(batches.map(async (batch) => {
      const { response, mayHaveLanded } = await c.send(batch.map((s) => s.payload), { upsert: false });
      return { mayHaveLanded, outcomes: matchOutcomes(batch, response, KEY) };
    }));
    const outcomes = answers.flatMap((answer) => answer.outcomes);
    expect(outcomes).toHaveLength(60);
    // A dropped batch was stored: its replay, without upsert, is refused as existing, and its
    // answer says an earlier attempt may have landed (the sender then looks the users up).
    const replayed = answers.filter((answer) => answer.mayHaveLanded);
    expect(replayed.length).toBeGreaterThan(0);
    for (const answer of replayed) expect(answer.outcomes.every((o) => o.outcome === 'conflict' && o.errorCode === 'email_already_exists')).toBe(true);
    for (const answer of answers.filter((a) => !a.mayHaveLanded)) expect(answer.outcomes.every((o) => o.outcome === 'created')).toBe(true);
    await expectExactlyOnce(emu, batches.flat());
    const stats = await emu.stats();
    expect(stats.droppedConnections).toBeGreaterThanOrEqual(replayed.length); // a replay may be dropped again
    expect(stats.upsertRequests).toBe(0);
  });

  it('times out a slow answer, retries it unchanged (no upsert), and reports exhaustion with the cause', async () => {
    const emu = await start(['--latency-rate', '1', '--latency-ms', '1500']);
    const sent = users(400, 5);
    const error = await client(emu, { retries: 2, requestTimeoutMs: 300 })
      .send(sent.map((s) => s.payload), { upsert: false })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).code).toBe('retries_exhausted');
    expect((error as LoadError).details.attempt).toBe(3);
    expect((error as Error).message).toMatch(/within 300 ms/);
    expect((error as LoadError).details.mayHaveLanded).toBe(true);
    // The server finished every attempt after we gave up: the first created them, the replays were refused.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await emu.stats()).bulkRequests).toBe(3);
    expect((await emu.stats()).upsertRequests).toBe(0);
    await expectExactlyOnce(emu, sent);
  });
});
