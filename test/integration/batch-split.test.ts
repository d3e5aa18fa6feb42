import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPayload } from '../../src/contract/index.js';
import { RateLimiter, createBulkClient } from '../../src/load/index.js';
import { payloadHash } from '../../src/mapping/index.js';
import { httpBatchSender } from '../../src/pipeline/batch-sender.js';
import type { PlannedBatch } from '../../src/pipeline/batch-builder.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';

const ENV = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';

// The API refuses a body with one bad user as a whole (400): the sender must split the batch until
// the bad users are isolated, so they never block the good ones. Our mapper validates with the same
// contract, so such a user can only come from a contract drift; the payloads here are built by hand.
describe('batch splitting on a whole-body 400', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('isolates the bad users and lands the other 48', async () => {
    const users = Array.from({ length: 50 }, (_, i) => {
      const payload: UserPayload = { email: i === 7 || i === 41 ? `bad ${i}@example.com` : `user${i}@example.com`, metadata: { legacyId: String(i) } };
      return { legacyId: String(i), payload, payloadHash: payloadHash(payload) };
    });
    const batch: PlannedBatch = { firstKey: '0', lastKey: '49', users, rejections: [], rejectedKeys: [], upsert: false };
    const client = createBulkClient({ baseUrl: emulator.baseUrl, environmentId: ENV, token: emulator.token, rateLimiter: new RateLimiter({ perMinute: 0 }) });
    const lookups = { baseUrl: emulator.baseUrl, environmentId: ENV, token: emulator.token, rateLimiter: new RateLimiter({ perMinute: 0 }) };
    const outcomes = await httpBatchSender({ client, legacyIdKey: 'legacyId', lookups }).send(batch, new AbortController().signal);

    expect(outcomes).toHaveLength(50);
    const failed = outcomes.filter((outcome) => outcome.outcome === 'failed');
    expect(failed.map((outcome) => outcome.legacyId).sort()).toEqual(['41', '7']);
    for (const outcome of failed) expect(outcome.errorCode).toBe('bad_request');
    expect(outcomes.filter((outcome) => outcome.outcome === 'created')).toHaveLength(48);
    expect(await emulator.listUsers(ENV)).toHaveLength(48);
    // Halving isolates the two bad users in about 2 × 2 × log2(50) requests: far fewer than one per user.
    const { bulkRequests } = await emulator.stats();
    expect(bulkRequests).toBeGreaterThan(2);
    expect(bulkRequests).toBeLessThanOrEqual(25);
  });
});
