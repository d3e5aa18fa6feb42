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
import { NASTY, SHARED_ETH_UPPER, seedPlainUsers } from '../fixtures/plain-users/seed.js';
import type { RegularUser } from '../fixtures/plain-users/seed.js';

// mappings/plain-users.ts end to end: real PostgreSQL, the CLI and the emulator as child processes.
describe('example mapping: plain users table with wallet columns and a JSONB profile', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;
  let regular: RegularUser[];
  const job = 'plain-users';
  const args = (...extra: string[]) => [
    'run', '--mapping', 'mappings/plain-users.ts', '--database-url', fixture.db.url, ...fixture.dirArgs,
    // Small pages and batches so keyset pagination and batching are exercised on ~60 rows.
    '--page-size', '7', '--batch-size', '10', ...extra,
  ];

  /** Rows the mapping rejects locally, with the field and the rule. */
  const REJECTED = [
    `${NASTY.onlyId} (user) no_sign_in_method`, // nothing but its id: no email, phone or wallet to sign in with
    `${NASTY.badBtc} btcWallet pattern`, // a legacy wallet field still rejects its user
    `${NASTY.hugeProfile} metadata max_size`, // a 600 KB profile copied into metadata
    `${NASTY.notAnEthAddress} wallets[0].publicWalletAddress address_format`, // 'not-an-address' on ETH: a bad wallet rejects its user
    `${NASTY.dogecoinInJson} wallets[1].chain value_map`, // 'dogecoin' in the profile's wallets array
  ];
  /** Optional fields whose value could not be used: left out, the user sent without them (`<legacy id> <field> <rule>`). */
  const DROPPED = [
    `${NASTY.longHandle} username pattern`, // 39 characters: the handle is copied, not slugified
    `${NASTY.badPhone} phoneNumber transform`, // "12345" is no phone number in the GB region
    `${NASTY.unknownCountry} country transform`, // "Atlantis"
    `${NASTY.dottedHandle} username pattern`, // "first.last": dots are not allowed in usernames
  ].sort();
  /** Dropped values of mapped rows as sortable one-liners, `"<legacyId> <field> <rule>"`. */
  const droppedKeys = (results: readonly MapResult[]) =>
    results.flatMap((result) => (result.ok ? result.dropped ?? [] : []).map((d) => `${d.legacyId} ${d.field} ${d.rule}`)).sort();
  const migratedRegular = () => regular.filter((user) => user.migrated);
  /** Nasty rows that pass the status filter and are not rejected (some of them without a dropped value). */
  const NASTY_SENT = [
    NASTY.arabic, NASTY.hebrew, NASTY.emoji, NASTY.emailFirst, NASTY.emailSameButCase,
    NASTY.sameEthOtherCase, NASTY.blankEmail, NASTY.nullProfileKeys, NASTY.emojiOnlyName, NASTY.yesNoFlag,
    NASTY.longHandle, NASTY.badPhone, NASTY.unknownCountry, NASTY.dottedHandle,
  ];

  beforeAll(async () => {
    fixture = await createExampleFixture(async (db) => {
      regular = await seedPlainUsers(db);
    });
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('dry run: every active row either becomes the exact payload (less any dropped value) or is rejected with its field and rule', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const sent = migratedRegular().length + NASTY_SENT.length;
    const runDir = latestRunDir(fixture.dir, job);
    const rejects = readJsonl(join(runDir, 'rejects.jsonl'));
    expect(rejectionKeys(rejects)).toEqual([...REJECTED].sort());
    // A reject never copies the value it refuses.
    expect(JSON.stringify(rejects)).not.toMatch(/not-an-address/);
    const summary = latestSummary(fixture.dir, job);
    expect(summary).toMatchObject({
      dryRun: true, addsUp: true, extracted: sent + REJECTED.length, wouldSend: sent, rejected: REJECTED.length,
    });
    // Each dropped value is counted by field and rule, and listed in report.json with its row.
    expect(summary.dropped).toEqual({ 'country transform': 1, 'phoneNumber transform': 1, 'username pattern': 2 });
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { dropped: Array<{ field: string; rule: string; rows: number; examples: Array<{ legacyId: string; value?: string }> }> };
    expect(report.dropped.flatMap((group) => group.examples.map((example) => `${example.legacyId} ${group.field} ${group.rule}`)).sort()).toEqual(DROPPED);
    expect(report.dropped.reduce((sum, group) => sum + group.rows, 0)).toBe(DROPPED.length);
    expect(JSON.stringify(report.dropped)).not.toMatch(/Atlantis|first\.last|12345/);

    const payloads = byLegacyId(readJsonl(join(runDir, 'payloads.jsonl')).map((line) => line.payload as Record<string, unknown>), 'legacyId');
    expect([...payloads.keys()].sort()).toEqual([...migratedRegular().map((u) => u.id), ...NASTY_SENT].map(String).sort());

    // Suspended and closed accounts never leave the database (declarative `equals` filter).
    expect(payloads.has(String(NASTY.suspended))).toBe(false);
    expect(regular.some((user) => !user.migrated)).toBe(true);
    // Wallets from the profile's JSON array are among the exact payloads below.
    expect(migratedRegular().filter((user) => user.expected.wallets.some((w) => w.chain === 'EVM')).length).toBeGreaterThan(3);

    for (const user of migratedRegular()) {
      const { wallets, avatar, ...fields } = user.expected;
      expect(payloads.get(String(user.id)), `user ${user.id}`).toEqual({
        ...fields,
        metadata: { avatarUrl: avatar, profile: JSON.parse(String(user.row.profile)), legacyId: String(user.id) },
        ...(wallets.length > 0 ? { wallets } : {}),
      });
    }

    const nasty = (id: number) => payloads.get(String(id));
    // A row with nothing but its id has nothing to sign in with: rejected, never sent.
    expect(payloads.has(String(NASTY.onlyId))).toBe(false);
    // Right-to-left scripts pass the API's name pattern untouched; countries by English name.
    expect(nasty(NASTY.arabic)).toMatchObject({ firstName: 'ليلى', lastName: 'حداد', country: 'EG', emailVerifiedAt: '2023-01-01T00:00:00.000Z' });
    expect(nasty(NASTY.hebrew)).toMatchObject({ firstName: 'נועה', lastName: 'כהן', country: 'IL', username: 'נועה_כהן' });
    expect(nasty(NASTY.hebrew)).not.toHaveProperty('emailVerifiedAt'); // is_verified = 'f'
    // Emoji are stripped (with a warning), the name then split.
    expect(nasty(NASTY.emoji)).toMatchObject({ firstName: 'Zoë', lastName: 'Ünal' });
    expect(nasty(NASTY.emojiOnlyName)).not.toHaveProperty('firstName');
    expect(nasty(NASTY.emojiOnlyName)).not.toHaveProperty('lastName');
    // Two rows whose emails differ only in case both map to the same lower-case email.
    expect(nasty(NASTY.emailFirst)?.email).toBe('sam.lee@example.com');
    expect(nasty(NASTY.emailSameButCase)?.email).toBe('sam.lee@example.com');
    // Blank email and handle, empty profile: a wallet-only user.
    expect(nasty(NASTY.blankEmail)).toEqual({
      metadata: { profile: {}, legacyId: String(NASTY.blankEmail) },
      wallets: [{ publicWalletAddress: `0x0114${'cd'.repeat(18)}`, chain: 'ETH', walletName: 'MetaMask', walletProvider: 'browserExtension' }],
    });
    // An address in `wallets` is checked against its chain: a malformed one never reaches Dynamic,
    // and a wallet rule without onInvalid: 'drop' keeps its user back.
    expect(payloads.has(String(NASTY.notAnEthAddress))).toBe(false);
    // Values that cannot be used in optional fields are left out; the user is sent without them.
    expect(nasty(NASTY.longHandle)).toEqual({ email: 'long@example.com', metadata: { legacyId: String(NASTY.longHandle) } });
    expect(nasty(NASTY.dottedHandle)).toEqual({ email: 'dots@example.com', metadata: { legacyId: String(NASTY.dottedHandle) } });
    expect(nasty(NASTY.badPhone)).toEqual({ email: 'phone@example.com', username: 'bad_phone', metadata: { legacyId: String(NASTY.badPhone) } });
    expect(nasty(NASTY.unknownCountry)).toEqual({
      email: 'atlantis@example.com', username: 'atlantean', firstName: 'Aqua', lastName: 'Man',
      metadata: { profile: { full_name: 'Aqua Man', country: 'Atlantis' }, legacyId: String(NASTY.unknownCountry) },
    });
    // JSON nulls are nulls: no name, no avatar, no country.
    expect(nasty(NASTY.nullProfileKeys)).toEqual({
      email: 'nulls@example.com', username: 'nulls', emailVerifiedAt: '2023-01-01T00:00:00.000Z',
      metadata: { profile: { full_name: null, avatar: null, country: null }, legacyId: String(NASTY.nullProfileKeys) },
    });
    // `equals` is exact: 'yes' is not 't', so the email is not marked verified.
    expect(nasty(NASTY.yesNoFlag)).not.toHaveProperty('emailVerifiedAt');
  });

  it('warns, without rejecting, when emoji are stripped from a name', async () => {
    const results = await mapAllRows('mappings/plain-users.ts', fixture.db.url);
    expect(warningKeys(results)).toEqual([
      `${NASTY.emoji} firstName stripped`, `${NASTY.emoji} lastName stripped`,
      `${NASTY.emojiOnlyName} firstName stripped`, `${NASTY.emojiOnlyName} lastName stripped`,
    ].sort());
    // Warnings never hold the value: it may be personal data.
    const warning = results.find((r) => r.legacyId === String(NASTY.emoji))?.warnings?.[0];
    expect(warning?.message).not.toMatch(/Zo|🚀/u);
  });

  it('drops, without rejecting, a value an optional field cannot use, and records it masked', async () => {
    const results = await mapAllRows('mappings/plain-users.ts', fixture.db.url);
    expect(droppedKeys(results)).toEqual(DROPPED);
    for (const id of [NASTY.longHandle, NASTY.badPhone, NASTY.unknownCountry, NASTY.dottedHandle]) {
      expect(results.find((r) => r.legacyId === String(id))?.ok, `user ${id}`).toBe(true);
    }
    const phone = results.find((r) => r.legacyId === String(NASTY.badPhone));
    expect(phone?.ok && phone.payload).not.toHaveProperty('phoneNumber');
    expect(phone?.ok && phone.dropped?.[0]?.value).toBe('1…5 (5 chars)');
  });

  it('real run: lands exactly the valid users (without their dropped values); a case-twin email and a shared wallet are conflicts with the users that hold them', async () => {
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    // One batch in flight, so which of the two look-alike rows arrives first is fixed.
    const result = await runCli(args('--concurrency', '1'), env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const sent = migratedRegular().length + NASTY_SENT.length;
    expect(latestSummary(fixture.dir, job)).toMatchObject({
      addsUp: true, created: sent - 2, alreadyExisted: 0, conflicts: 2, failed: 0, rejected: REJECTED.length,
      dropped: { 'country transform': 1, 'phoneNumber transform': 1, 'username pattern': 2 },
    });
    const runDir = latestRunDir(fixture.dir, job);
    // Same address as user 2 in capitals: one EVM wallet for Dynamic, so a clash with another user.
    expect(SHARED_ETH_UPPER.toLowerCase()).toBe(String(regular[1]?.expected.wallets[0]?.publicWalletAddress));
    expect(readJsonl(join(runDir, 'failed.jsonl')).map((f) => [f.legacyId, f.outcome, f.code]).sort()).toEqual([
      [String(NASTY.emailSameButCase), 'conflict', 'email_already_exists'],
      [String(NASTY.sameEthOtherCase), 'conflict', 'wallet_account_exists_for_chain'],
    ].sort());
    expect(rejectionKeys(readJsonl(join(runDir, 'rejects.jsonl')))).toEqual([...REJECTED].sort());

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    const landed = byLegacyId(users, 'legacyId');
    const expectedIds = [...migratedRegular().map((u) => u.id), ...NASTY_SENT]
      .filter((id) => id !== NASTY.emailSameButCase && id !== NASTY.sameEthOtherCase)
      .map(String)
      .sort();
    expect(users.map((user) => legacyIdOf(user, 'legacyId')).sort()).toEqual(expectedIds);

    for (const user of migratedRegular()) {
      const api = landed.get(String(user.id));
      // The API shows emailVerifiedAt only on the email credential.
      const { wallets, avatar: _avatar, emailVerifiedAt, ...fields } = user.expected;
      expect(api, `user ${user.id}`).toMatchObject(fields);
      const emailCredential = (api?.verifiedCredentials as Array<Record<string, unknown>>).find((c) => c.format === 'email');
      expect(emailCredential?.verifiedAt ?? undefined).toBe(emailVerifiedAt);
      expect((api?.wallets as Array<Record<string, unknown>>).map((w) => [w.chain, w.publicKey, w.name, w.provider])).toEqual(
        wallets.map((w) => [w.chain, w.publicWalletAddress, w.walletName, w.walletProvider]),
      );
    }
    expect(landed.get(String(NASTY.emailFirst))?.email).toBe('sam.lee@example.com');
    expect(landed.get(String(NASTY.arabic))).toMatchObject({ firstName: 'ليلى', lastName: 'حداد' });
    // Sent without the values that could not be used.
    expect(landed.get(String(NASTY.longHandle))).toMatchObject({ email: 'long@example.com' });
    expect(landed.get(String(NASTY.longHandle))?.username ?? undefined).toBeUndefined();
    expect(landed.get(String(NASTY.dottedHandle))?.username ?? undefined).toBeUndefined();
    expect(landed.get(String(NASTY.badPhone))).toMatchObject({ email: 'phone@example.com', username: 'bad_phone' });
    expect(landed.get(String(NASTY.badPhone))?.phoneNumber ?? undefined).toBeUndefined();
    expect(landed.get(String(NASTY.unknownCountry))).toMatchObject({ email: 'atlantis@example.com', firstName: 'Aqua', lastName: 'Man' });
    expect(landed.get(String(NASTY.unknownCountry))?.country ?? undefined).toBeUndefined();
  });
});
