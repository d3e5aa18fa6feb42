import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPayload } from '../../src/contract/index.js';
import { RateLimiter, createBulkClient } from '../../src/load/index.js';
import { findIdentityHolders, identitiesOf, identityHash } from '../../src/load/identity-holders.js';
import { payloadHash } from '../../src/mapping/index.js';
import type { PlannedBatch, PlannedUser } from '../../src/pipeline/batch-builder.js';
import { httpBatchSender } from '../../src/pipeline/batch-sender.js';
import type { LedgerView } from '../../src/pipeline/journal.js';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.js';

const ENV = '4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d';

// The batch sender's look-ups against the real emulator over HTTP: what it does with users that may
// already be ours, before and instead of any upsert that could reach someone else's account.
describe('the sender resolves who holds a user before trusting "already exists" or upserting', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const sender = () => {
    const request = { baseUrl: emulator.baseUrl, environmentId: ENV, token: emulator.token, rateLimiter: new RateLimiter({ perMinute: 0 }) };
    return httpBatchSender({ client: createBulkClient(request), legacyIdKey: 'legacyId', lookups: request });
  };
  /** The lost attempts of these tests' users in doubt went out as the tests began, before Dynamic made their users. */
  const lostAttempt = { inDoubt: true, inDoubtSince: Date.now() - 1_000 };
  const planned = (legacyId: string, payload: UserPayload, extra: Partial<PlannedUser> = {}): PlannedUser => ({
    legacyId, payload, payloadHash: payloadHash(payload), identityHash: identityHash(payload), ...extra,
  });
  const batch = (users: PlannedUser[], upsert: boolean): PlannedBatch => ({ firstKey: users[0]!.legacyId, lastKey: users.at(-1)!.legacyId, users, rejections: [], rejectedKeys: [], upsert });
  const ours = (id: string): LedgerView => ({ outcome: 'created', inDynamic: true, owner: 'job', dynamicUserId: id, payloadHash: 'old', identityHash: 'old' });
  const get = async (id: string) => JSON.stringify((await emulator.listUsers(ENV)).find((user) => user.id === id));

  it('an upsert whose email changed to someone else\'s is a conflict, never sent; that person is untouched', async () => {
    const [mine, theirs] = await emulator.createUsers(ENV, [
      { email: 'mine@ours.example', metadata: { legacyId: '1' } },
      { email: 'theirs@elsewhere.example', firstName: 'Real' },
    ]);
    const theirsBefore = await get(theirs!.id);
    const before = await emulator.stats();
    const [outcome] = await sender().send(batch([planned('1', { email: 'theirs@elsewhere.example', firstName: 'Taken', metadata: { legacyId: '1' } }, { guard: true, known: ours(mine!.id) })], true), new AbortController().signal);
    expect(outcome).toMatchObject({ legacyId: '1', outcome: 'conflict', owner: 'other', dynamicUserId: theirs!.id });
    expect((await emulator.stats()).upsertRequests).toBe(before.upsertRequests);
    expect(await get(theirs!.id)).toBe(theirsBefore);
  });

  it('an upsert whose identities are all new would miss our user (the bulk upsert finds users by identity): reported, not sent', async () => {
    const [mine] = await emulator.createUsers(ENV, [{ email: 'moved@ours.example', metadata: { legacyId: '2' } }]);
    const before = await emulator.stats();
    const [outcome] = await sender().send(batch([planned('2', { email: 'new-address@ours.example', metadata: { legacyId: '2' } }, { guard: true, known: ours(mine!.id) })], true), new AbortController().signal);
    expect(outcome).toMatchObject({ outcome: 'failed', errorCode: 'identity_changed' });
    expect((await emulator.stats()).bulkRequests).toBe(before.bulkRequests);
  });

  it('an upsert whose identities still lead to our user goes out, alone with users like it', async () => {
    const [mine] = await emulator.createUsers(ENV, [{ email: 'stays@ours.example', metadata: { legacyId: '3' } }]);
    const [outcome] = await sender().send(batch([planned('3', { email: 'stays@ours.example', jobTitle: 'Now a title', metadata: { legacyId: '3' } }, { guard: true, known: ours(mine!.id) })], true), new AbortController().signal);
    expect(outcome).toMatchObject({ outcome: 'updated', owner: 'job', dynamicUserId: mine!.id });
    expect(JSON.parse(await get(mine!.id))).toMatchObject({ jobTitle: 'Now a title' });
  });

  it('an in-doubt user Dynamic holds with older data is ours: created by the job, refreshed with one upsert of its own', async () => {
    // What a lost answer leaves: the user stored, with the data of the attempt before the row changed.
    const [landed] = await emulator.createUsers(ENV, [{ email: 'lost@ours.example', firstName: 'Old', metadata: { legacyId: '4' } }]);
    const before = await emulator.stats();
    const outcomes = await sender().send(batch([
      planned('4', { email: 'lost@ours.example', firstName: 'New', metadata: { legacyId: '4' } }, lostAttempt),
      planned('5', { email: 'fresh@ours.example', metadata: { legacyId: '5' } }, lostAttempt),
    ], false), new AbortController().signal);
    expect(outcomes[0]).toMatchObject({ legacyId: '4', outcome: 'created', owner: 'job', dynamicUserId: landed!.id });
    expect(outcomes[1]).toMatchObject({ legacyId: '5', outcome: 'created', owner: 'job' });
    const after = await emulator.stats();
    expect(after.bulkRequests - before.bulkRequests).toBe(2); // the batch, without upsert; then user 4 alone, with it
    expect(after.upsertRequests - before.upsertRequests).toBe(1);
    expect(JSON.parse(await get(landed!.id))).toMatchObject({ firstName: 'New' });
  });

  it('an in-doubt user known only by a phone is looked up before it is sent (sending it again could create it twice)', async () => {
    const [landed] = await emulator.createUsers(ENV, [{ phoneNumber: '+14155550199', metadata: { legacyId: '6' } }]);
    const before = await emulator.stats();
    const [outcome] = await sender().send(batch([planned('6', { phoneNumber: '+14155550199', metadata: { legacyId: '6' } }, lostAttempt)], false), new AbortController().signal);
    expect(outcome).toMatchObject({ outcome: 'created', owner: 'job', dynamicUserId: landed!.id });
    expect((await emulator.stats()).bulkRequests).toBe(before.bulkRequests);
    expect((await emulator.listUsers(ENV)).filter((user) => (user.metadata as Record<string, unknown>).legacyId === '6')).toHaveLength(1);
  });

  it('an in-doubt user whose email changed since the lost attempt is found under the old one: not created twice', async () => {
    const [landed] = await emulator.createUsers(ENV, [{ email: 'old-address@ours.example', metadata: { legacyId: '10' } }]);
    const before = await emulator.stats();
    const sentBefore = identitiesOf({ email: 'old-address@ours.example' });
    const [outcome] = await sender().send(batch([
      planned('10', { email: 'new-address@ours.example', metadata: { legacyId: '10' } }, { ...lostAttempt, sentIdentities: sentBefore }),
    ], false), new AbortController().signal);
    expect(outcome).toMatchObject({ outcome: 'created', owner: 'job', dynamicUserId: landed!.id, errorCode: 'identity_changed' });
    expect(outcome!.payloadHash).toBeUndefined(); // Dynamic does not hold this payload: a later run sends it again
    expect((await emulator.stats()).bulkRequests).toBe(before.bulkRequests);
    expect((await emulator.listUsers(ENV)).filter((user) => (user.metadata as Record<string, unknown>).legacyId === '10')).toHaveLength(1);
  });

  it('an in-doubt user Dynamic made before the lost attempt went out is never taken for the job\'s own: already there, not rolled back', async () => {
    const [earlier] = await emulator.createUsers(ENV, [{ email: 'before-the-job@ours.example', metadata: { legacyId: '9' } }]);
    // The lost attempt went out well after that user was made (by a job since reset, say).
    const lostLater = { inDoubt: true, inDoubtSince: Date.now() + 10 * 60_000 };
    const [outcome] = await sender().send(batch([planned('9', { email: 'before-the-job@ours.example', metadata: { legacyId: '9' } }, lostLater)], false), new AbortController().signal);
    expect(outcome).toMatchObject({ outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: earlier!.id });
  });

  it('a look-up reads page after page while the API matches loosely: the exact holder is found behind 25 others', async () => {
    const providers = ['google', 'discord', 'twitter', 'gitlab', 'apple', 'bitbucket', 'facebook', 'twitch', 'linkedin', 'microsoft', 'spotify', 'tiktok',
      'line', 'steam', 'shopify', 'telegram', 'instagram', 'epicgames', 'coinbasesocial', 'farcaster', 'zksync', 'kraken', 'okta', 'sendgrid', 'resend'];
    // The list filter matches an account id whatever its provider: 25 loose matches before the one.
    await emulator.createUsers(ENV, providers.map((provider) => ({ oauthAccounts: [{ provider, accountId: 'acct-777' }] })));
    const [holder] = await emulator.createUsers(ENV, [{ oauthAccounts: [{ provider: 'github', accountId: 'acct-777' }], metadata: { legacyId: '11' } }]);
    const request = { baseUrl: emulator.baseUrl, environmentId: ENV, token: emulator.token, rateLimiter: new RateLimiter({ perMinute: 0 }) };
    const identity = identitiesOf({ oauthAccounts: [{ provider: 'github', accountId: 'acct-777' }] })[0]!;
    const found = await findIdentityHolders(identity, 'legacyId', request);
    expect(found.map((h) => [h.id, h.legacyId])).toEqual([[holder!.id, '11']]);
  });

  it('a fresh user whose email someone else holds is a conflict naming the holder, and a user carrying our legacy id is already there', async () => {
    const [holder, earlier] = await emulator.createUsers(ENV, [
      { email: 'held@elsewhere.example' },
      { email: 'earlier@ours.example', metadata: { legacyId: '8' } },
    ]);
    const outcomes = await sender().send(batch([
      planned('7', { email: 'held@elsewhere.example', metadata: { legacyId: '7' } }),
      planned('8', { email: 'earlier@ours.example', metadata: { legacyId: '8' } }),
    ], false), new AbortController().signal);
    expect(outcomes[0]).toMatchObject({ outcome: 'conflict', owner: 'other', dynamicUserId: holder!.id, errorCode: 'email_already_exists' });
    expect(outcomes[1]).toMatchObject({ outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: earlier!.id });
  });
});
