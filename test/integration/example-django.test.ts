import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import type { MapResult } from '../../src/mapping/index.js';
import { byLegacyId, createExampleFixture, legacyIdOf, mapAllRows, rejectionKeys, warningKeys } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';
import { NASTY, seedDjango } from '../fixtures/django/seed.js';
import type { RegularUser } from '../fixtures/django/seed.js';

// mappings/django-allauth.ts end to end: auth_user + allauth social accounts + a wallets table.
describe('example mapping: Django auth_user + django-allauth + wallets', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;
  let regular: RegularUser[];
  const job = 'django';
  const KEY = 'djangoUserId';
  const args = (...extra: string[]) => [
    'run', '--mapping', 'mappings/django-allauth.ts', '--database-url', fixture.db.url, ...fixture.dirArgs,
    '--page-size', '8', '--batch-size', '10', ...extra,
  ];
  const REJECTED = [
    `${NASTY.minimal} (user) no_sign_in_method`, // only a username: no email, wallet or OAuth account to sign in with
    `${NASTY.dogecoinWallet} wallets[1].chain value_map`, // 'dogecoin' is not in the chain map
    `${NASTY.unknownProvider} oauthAccounts[0].provider value_map`, // 'openid_connect' is not in the provider map
  ];
  /** Rejected rows (one line each above). */
  const REJECTED_ROWS = new Set(REJECTED.map((line) => line.split(' ')[0])).size;
  /** Values that could not be used, left out of users that are still sent: `<legacy id> <field> <rule>`. */
  const DROPPED = [
    // extra_data '{not json': a JSON path cannot be read from it, so each optional part reading one is dropped.
    ...['displayName', 'emails', 'photos', 'username'].map((field) => `${NASTY.brokenExtraData} oauthAccounts[0].${field} type`),
    `${NASTY.brokenExtraData} oauthAccounts[0].profile transform`, // the json transform refuses '{not json'
  ].sort();
  /** Dropped values of mapped rows as sortable one-liners, `"<legacyId> <field> <rule>"`. */
  const droppedKeys = (results: readonly MapResult[]) =>
    results.flatMap((result) => (result.ok ? result.dropped ?? [] : []).map((d) => `${d.legacyId} ${d.field} ${d.rule}`)).sort();
  const NASTY_SENT: number[] = [
    NASTY.emailUsername, NASTY.longUsername, NASTY.shortUsername, NASTY.dotTwinFirst, NASTY.dotTwinSecond,
    NASTY.arabicUsername, NASTY.emojiFirstName, NASTY.blankWalletAddress, NASTY.hebrewNames, NASTY.brokenExtraData,
  ];
  const migrated = () => regular.filter((user) => user.migrated);
  const sentIds = () => [...migrated().map((user) => user.id), ...NASTY_SENT].map(String).sort();
  const meta = (id: number, extra: Record<string, unknown> = {}) => ({
    djangoUsername: expect.any(String), dateJoined: '2023-07-01T00:00:00.000Z', isStaff: false, djangoUserId: String(id), ...extra,
  });

  beforeAll(async () => {
    fixture = await createExampleFixture(async (db) => {
      regular = await seedDjango(db);
    });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('dry run: slugged usernames, mapped chains and providers, inactive users left behind', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const runDir = latestRunDir(fixture.dir, job);
    expect(rejectionKeys(readJsonl(join(runDir, 'rejects.jsonl')))).toEqual([...REJECTED].sort());
    const summary = latestSummary(fixture.dir, job);
    expect(summary).toMatchObject({
      dryRun: true, addsUp: true, extracted: sentIds().length + REJECTED_ROWS, wouldSend: sentIds().length, rejected: REJECTED_ROWS,
    });
    // The dropped parts are counted by field (indexes folded) and rule, and listed in report.json with their row.
    expect(summary.dropped).toEqual({
      'oauthAccounts[*].displayName type': 1, 'oauthAccounts[*].emails type': 1, 'oauthAccounts[*].photos type': 1,
      'oauthAccounts[*].profile transform': 1, 'oauthAccounts[*].username type': 1,
    });
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { dropped: Array<{ field: string; rule: string; examples: Array<{ legacyId: string }> }> };
    expect(report.dropped.flatMap((group) => group.examples.map((example) => `${example.legacyId} ${group.field} ${group.rule}`)).sort())
      .toEqual(DROPPED.map((line) => line.replace(/\[\d+\]/g, '[*]')).sort());
    const payloads = byLegacyId(readJsonl(join(runDir, 'payloads.jsonl')).map((line) => line.payload as Record<string, unknown>), KEY);
    expect([...payloads.keys()].sort()).toEqual(sentIds());
    expect(payloads.has(String(NASTY.inactive))).toBe(false);
    expect(regular.some((user) => !user.migrated)).toBe(true);

    for (const user of migrated()) expect(payloads.get(String(user.id)), `user ${user.id}`).toEqual(user.expected);
    // Every provider of the map occurs, twitter_oauth2 included.
    const providers = new Set(migrated().flatMap((u) => ((u.expected.oauthAccounts ?? []) as Array<{ provider: string }>).map((a) => a.provider)));
    expect([...providers].sort()).toEqual(['discord', 'github', 'google', 'twitter']);

    const nasty = (id: number) => payloads.get(String(id));
    // Django keeps '' for missing names and email: only the username and the metadata remain, nothing
    // to sign in with, so the user is rejected (no_sign_in_method), never sent.
    expect(payloads.has(String(NASTY.minimal))).toBe(false);
    // slugUsername: dots become "_", "@" and "+" are dropped, the result is cut to 20.
    expect(nasty(NASTY.emailUsername)?.username).toBe('jean_pierreexample_c');
    expect(nasty(NASTY.emailUsername)?.metadata).toMatchObject({ djangoUsername: 'jean.pierre@example.com' });
    expect(nasty(NASTY.longUsername)?.username).toBe('very_long_username_v');
    // "a+b" → "ab": shorter than 3, so no username at all (a warning), the user still migrates.
    expect(nasty(NASTY.shortUsername)).not.toHaveProperty('username');
    expect(nasty(NASTY.shortUsername)?.email).toBe('ab@example.net');
    // Two Django usernames that slug to the same Dynamic username.
    expect(nasty(NASTY.dotTwinFirst)?.username).toBe('john_doe');
    expect(nasty(NASTY.dotTwinSecond)?.username).toBe('john_doe');
    expect(nasty(NASTY.arabicUsername)).toMatchObject({ username: 'محمد_علي', firstName: 'محمد', lastName: 'علي', alias: 'محمد علي' });
    expect(nasty(NASTY.hebrewNames)).toMatchObject({ firstName: 'יעל', lastName: 'לוי', alias: 'יעל לוי' });
    expect(nasty(NASTY.emojiFirstName)).toMatchObject({ firstName: 'Sunny', lastName: 'Day', alias: 'Sunny Day' });
    // A wallet row with a blank address is skipped, not an error.
    expect(nasty(NASTY.blankWalletAddress)).not.toHaveProperty('wallets');
    // extra_data that is no JSON costs the account its optional parts, not the account or the user.
    expect(nasty(NASTY.brokenExtraData)).toEqual({
      email: 'broken@example.net', username: 'broken_extra', metadata: meta(NASTY.brokenExtraData, { djangoUsername: 'broken_extra' }),
      oauthAccounts: [{ provider: 'github', accountId: '777' }],
    });
  });

  it('warns, without rejecting, about every slugged username and every name cleaned of emoji', async () => {
    const results = await mapAllRows('mappings/django-allauth.ts', fixture.db.url);
    const slugged = migrated().filter((user) => user.user.username !== user.expected.username).map((user) => `${user.id} username slugified`);
    expect(slugged.length).toBeGreaterThan(10);
    expect(warningKeys(results)).toEqual([
      ...slugged,
      `${NASTY.emailUsername} username slugified`, `${NASTY.longUsername} username slugified`,
      `${NASTY.shortUsername} username username_unusable`, `${NASTY.dotTwinFirst} username slugified`,
      `${NASTY.emojiFirstName} firstName stripped`, `${NASTY.emojiFirstName} lastName stripped`, `${NASTY.emojiFirstName} alias stripped`,
    ].sort());
  });

  it('drops, without rejecting, the parts of an OAuth account its broken extra_data cannot give', async () => {
    const results = await mapAllRows('mappings/django-allauth.ts', fixture.db.url);
    expect(droppedKeys(results)).toEqual(DROPPED);
    expect(results.find((r) => r.legacyId === String(NASTY.brokenExtraData))?.ok).toBe(true);
    expect(results.find((r) => r.legacyId === String(NASTY.minimal))).toMatchObject({
      ok: false, rejections: [{ field: '(user)', rule: 'no_sign_in_method' }],
    });
  });

  it('real run: lands every valid user; a username that slugs like an earlier one is a conflict with Dynamic\'s code', async () => {
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const result = await runCli(args('--concurrency', '1'), env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ addsUp: true, created: sentIds().length - 1, alreadyExisted: 0, conflicts: 1, failed: 0, rejected: REJECTED_ROWS });
    expect(rejectionKeys(readJsonl(join(latestRunDir(fixture.dir, job), 'rejects.jsonl')))).toEqual([...REJECTED].sort());
    const runDir = latestRunDir(fixture.dir, job);
    expect(readJsonl(join(runDir, 'failed.jsonl')).map((f) => [f.legacyId, f.outcome, f.code])).toEqual([[String(NASTY.dotTwinSecond), 'conflict', 'username_already_exists']]);

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(users.map((user) => legacyIdOf(user, KEY)).sort()).toEqual(sentIds().filter((id) => id !== String(NASTY.dotTwinSecond)));
    const landed = byLegacyId(users, KEY);
    for (const user of migrated()) {
      const api = landed.get(String(user.id));
      expect(api).toMatchObject({ email: user.expected.email, username: user.expected.username, firstName: user.expected.firstName });
      const wallets = (user.expected.wallets ?? []) as Array<Record<string, unknown>>;
      expect((api?.wallets as Array<Record<string, unknown>>).map((w) => [w.chain, w.publicKey, w.name])).toEqual(
        wallets.map((w) => [w.chain, w.publicWalletAddress, w.walletName]),
      );
      const accounts = (user.expected.oauthAccounts ?? []) as Array<Record<string, unknown>>;
      expect((api?.oauthAccounts as Array<Record<string, unknown>>).map((a) => a.provider)).toEqual(accounts.map((a) => a.provider));
    }
    // The user with broken extra_data lands with its GitHub account, less the parts that were dropped.
    expect((landed.get(String(NASTY.brokenExtraData))?.oauthAccounts as Array<Record<string, unknown>>).map((a) => a.provider)).toEqual(['github']);
  });
});
