import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, type RetryInfo } from '../../src/load/index.js';
import { findIdentityHolders } from '../../src/load/identity-holders.js';
import { deleteTargetUser } from '../../src/rollback/delete-target-user.js';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.js';

const ENV = '5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e';
const USERS = 8;

// Look-ups and deletes against the real emulator while the environment's own limit (3 requests a
// second here, all routes together) answers most of them with 429: each request waits as the server
// says and goes through, though it may retry only once. A 429 is the limit speaking, not a fault.
describe('developer requests under the environment rate limit', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess(['--rate-limit', '0', '--environment-rate-limit', '3', '--rate-window-ms', '1000']);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('a burst of 429s on look-ups and deletes uses up none of their retries', async () => {
    const emails = Array.from({ length: USERS }, (_, i) => `burst-${i}@example.org`);
    const created = await emulator.createUsers(ENV, emails.map((email, i) => ({ email, metadata: { legacyId: String(i) } })));
    // One limiter for all, as a run has: a 429 holds every request back, not only the refused one.
    const retries: RetryInfo[] = [];
    const request = {
      baseUrl: emulator.baseUrl, environmentId: ENV, token: emulator.token, rateLimiter: new RateLimiter({ perMinute: 0 }),
      retries: 1, onRetry: (info: RetryInfo) => retries.push(info),
    };
    const lookUp = (email: string) => findIdentityHolders({ key: `email:${email}`, column: 'email', value: email }, 'legacyId', request);

    const holders = await Promise.all(emails.map(lookUp));
    expect(holders.map((found) => found.map((holder) => holder.legacyId))).toEqual(emails.map((_, i) => [String(i)]));

    const deleted = await Promise.all(created.map((user) => deleteTargetUser(user.id, request)));
    expect(deleted).toEqual(created.map(() => 'deleted'));
    expect(await Promise.all(emails.map(lookUp))).toEqual(emails.map(() => []));

    // More 429s than any request had retries: the limit was hit, and no request paid for it.
    expect(retries.filter((info) => info.status === 429).length).toBeGreaterThan(USERS);
    expect(retries.every((info) => info.status === 429)).toBe(true);
    expect((await emulator.stats()).environmentRateLimited).toBeGreaterThan(USERS);
  });
});
