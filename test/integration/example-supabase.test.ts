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
import { NASTY, seedSupabase } from '../fixtures/supabase/seed.js';
import type { RegularUser } from '../fixtures/supabase/seed.js';

// mappings/supabase.ts end to end: Supabase Auth's auth.users + auth.identities, uuid keys.
describe('example mapping: Supabase Auth (auth.users + auth.identities)', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;
  let regular: RegularUser[];
  const job = 'supabase';
  const KEY = 'supabaseUserId';
  const args = (...extra: string[]) => [
    'run', '--mapping', 'mappings/supabase.ts', '--database-url', fixture.db.url, ...fixture.dirArgs,
    '--page-size', '9', '--batch-size', '10', ...extra,
  ];
  const REJECTED = [
    `${NASTY.onlyId} (user) no_sign_in_method`, // nothing but its id: no email, phone or identity to sign in with
    `${NASTY.unicodeEmail} email pattern`, // "chloé@example.org": the API's email rule is ASCII only, and email rejects
  ].sort();
  /** Optional fields whose value could not be used: left out, the user sent without them. */
  const DROPPED = [
    `${NASTY.badPhone} phoneNumber transform`, // "+000"
  ];
  /** Dropped values of mapped rows as sortable one-liners, `"<legacyId> <field> <rule>"`. */
  const droppedKeys = (results: readonly MapResult[]) =>
    results.flatMap((result) => (result.ok ? result.dropped ?? [] : []).map((d) => `${d.legacyId} ${d.field} ${d.rule}`)).sort();
  const NASTY_SENT: string[] = [
    NASTY.arabicName, NASTY.blankFullName, NASTY.longGithubLogin, NASTY.emojiName,
    NASTY.bareDiscord, NASTY.nullMetadata, NASTY.hebrewEmailOnly, NASTY.badPhone,
  ];
  const migrated = () => regular.filter((user) => user.migrated);
  const sentIds = () => [...migrated().map((user) => user.id), ...NASTY_SENT].sort();

  beforeAll(async () => {
    fixture = await createExampleFixture(async (db) => {
      regular = await seedSupabase(db);
    });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('dry run: exact payloads from the JSONB metadata and identities; deleted and anonymous users stay behind', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const runDir = latestRunDir(fixture.dir, job);
    expect(rejectionKeys(readJsonl(join(runDir, 'rejects.jsonl')))).toEqual(REJECTED);
    const summary = latestSummary(fixture.dir, job);
    expect(summary).toMatchObject({
      dryRun: true, addsUp: true, extracted: sentIds().length + REJECTED.length, wouldSend: sentIds().length, rejected: REJECTED.length,
    });
    // The dropped phone number is counted, and listed in report.json with its row and the value masked.
    expect(summary.dropped).toEqual({ 'phoneNumber transform': 1 });
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { dropped: Array<{ field: string; rule: string; examples: Array<{ legacyId: string; value?: string }> }> };
    expect(report.dropped.flatMap((group) => group.examples.map((example) => `${example.legacyId} ${group.field} ${group.rule}`))).toEqual(DROPPED);
    expect(report.dropped[0]?.examples[0]?.value).toBe('+… (4 chars)'); // masked: short values show only their first character
    const payloads = byLegacyId(readJsonl(join(runDir, 'payloads.jsonl')).map((line) => line.payload as Record<string, unknown>), KEY);
    expect([...payloads.keys()].sort()).toEqual(sentIds());
    // Soft-deleted (deleted_at) and anonymous users are filtered in SQL.
    expect(regular.some((user) => !user.migrated)).toBe(true);
    expect(payloads.has(NASTY.deleted) || payloads.has(NASTY.anonymous)).toBe(false);

    for (const user of migrated()) expect(payloads.get(user.id), `user ${user.id}`).toEqual(user.expected);
    // `email` identities (password logins) are filtered out of the child table: no OAuth account for them.
    const withEmailIdentity = migrated().filter((user) => user.identities.some((i) => i.provider === 'email'));
    expect(withEmailIdentity.length).toBeGreaterThan(0);
    for (const user of withEmailIdentity) {
      expect((payloads.get(user.id)?.oauthAccounts as Array<{ provider: string }>).map((a) => a.provider)).not.toContain('email');
    }

    const nasty = (id: string) => payloads.get(id);
    // A user with nothing but its id has nothing to sign in with: rejected, never sent.
    expect(payloads.has(NASTY.onlyId)).toBe(false);
    // "+000" is no phone number: the user is sent without it.
    expect(nasty(NASTY.badPhone)).toEqual({ email: 'phone@example.org', metadata: { [KEY]: NASTY.badPhone } });
    expect(nasty(NASTY.arabicName)).toEqual({ email: 'omar@example.org', firstName: 'عمر', lastName: 'فاروق', metadata: { [KEY]: NASTY.arabicName } });
    // firstOf skips the blank full_name and takes `name`.
    expect(nasty(NASTY.blankFullName)).toMatchObject({ firstName: 'Ines', lastName: 'Moreau' });
    // A 29-character GitHub login is cut to the API's 20 (with a warning); the OAuth username keeps it whole.
    expect(nasty(NASTY.longGithubLogin)).toEqual({
      email: 'long@example.org', firstName: 'Long', lastName: 'Login', username: 'the-longest-github-l',
      metadata: { [KEY]: NASTY.longGithubLogin },
      oauthAccounts: [{
        provider: 'github', accountId: '9000001', displayName: 'Long Login', username: 'the-longest-github-login-2019',
        profile: { sub: '9000001', user_name: 'the-longest-github-login-2019', name: 'Long Login' },
      }],
    });
    // Emoji leave the user's name (a warning each); the OAuth display name is free text and keeps them.
    expect(nasty(NASTY.emojiName)).toMatchObject({ firstName: 'Party', lastName: 'Parrot' });
    expect((nasty(NASTY.emojiName)?.oauthAccounts as Array<Record<string, unknown>>)[0]).toMatchObject({ displayName: 'Party 🎉 Parrot 🦜', emails: ['party@example.org'] });
    // identity_data with nothing but `sub`: an account with only its provider, id and profile.
    expect(nasty(NASTY.bareDiscord)).toEqual({
      metadata: { [KEY]: NASTY.bareDiscord },
      oauthAccounts: [{ provider: 'discord', accountId: '9000002', profile: { sub: '9000002' } }],
    });
    // NULL JSONB columns and an empty phone: nothing but the email.
    expect(nasty(NASTY.nullMetadata)).toEqual({ email: 'nullmeta@example.org', metadata: { [KEY]: NASTY.nullMetadata } });
    expect(nasty(NASTY.hebrewEmailOnly)).toEqual({
      email: 'dana@example.org', firstName: 'דנה', lastName: 'לוי', emailVerifiedAt: '2024-04-03T10:00:00.000Z',
      metadata: { [KEY]: NASTY.hebrewEmailOnly },
    });
  });

  it('warns, without rejecting, about a cut GitHub login and a name cleaned of emoji', async () => {
    const results = await mapAllRows('mappings/supabase.ts', fixture.db.url);
    expect(warningKeys(results)).toEqual([
      `${NASTY.longGithubLogin} username truncated`,
      `${NASTY.emojiName} firstName stripped`, `${NASTY.emojiName} lastName stripped`,
    ].sort());
  });

  it('drops, without rejecting, a phone number that is none', async () => {
    const results = await mapAllRows('mappings/supabase.ts', fixture.db.url);
    expect(droppedKeys(results)).toEqual(DROPPED);
    const phone = results.find((r) => r.legacyId === NASTY.badPhone);
    expect(phone?.ok && phone.payload).not.toHaveProperty('phoneNumber');
  });

  it('real run: every valid user lands once, with its OAuth accounts', async () => {
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const result = await runCli(args(), env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    expect(latestSummary(fixture.dir, job)).toMatchObject({
      addsUp: true, created: sentIds().length, alreadyExisted: 0, failed: 0, rejected: REJECTED.length, dropped: { 'phoneNumber transform': 1 },
    });
    expect(rejectionKeys(readJsonl(join(latestRunDir(fixture.dir, job), 'rejects.jsonl')))).toEqual(REJECTED);

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(users.map((user) => legacyIdOf(user, KEY)).sort()).toEqual(sentIds());
    const landed = byLegacyId(users, KEY);
    for (const user of migrated()) {
      const api = landed.get(user.id);
      expect(api?.email).toBe(user.expected.email);
      const credentials = (api?.verifiedCredentials as Array<Record<string, unknown>>).filter((c) => c.format === 'oauth');
      expect(credentials.map((c) => [c.oauth_provider, c.oauth_account_id, c.oauth_emails, c.oauth_display_name])).toEqual(
        (user.expected.oauthAccounts ?? []).map((a) => [a.provider, a.accountId, a.emails, a.displayName]),
      );
    }
    expect(landed.get(NASTY.badPhone)).toMatchObject({ email: 'phone@example.org' });
    expect(landed.get(NASTY.badPhone)?.phoneNumber ?? undefined).toBeUndefined();

    // Resuming a finished job reads nothing again: keyset pagination on a uuid key has a cursor.
    const again = await runCli(args(), env);
    expect(again.code).toBe(0);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ extracted: 0, created: 0, addsUp: true });
  });
});
