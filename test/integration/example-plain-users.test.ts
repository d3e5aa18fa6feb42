import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
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
    `${NASTY.longHandle} username pattern`, // 39 characters: the handle is copied, not slugified
    `${NASTY.badBtc} btcWallet pattern`,
    `${NASTY.hugeProfile} metadata max_size`, // a 600 KB profile copied into metadata
    `${NASTY.badPhone} phoneNumber transform`, // "12345" is no phone number in the GB region
    `${NASTY.unknownCountry} country transform`, // "Atlantis"
    `${NASTY.dottedHandle} username pattern`, // "first.last": dots are not allowed in usernames
    `${NASTY.dogecoinInJson} wallets[1].chain value_map`, // 'dogecoin' in the profile's wallets array
  ];
  const migratedRegular = () => regular.filter((user) => user.migrated);
  /** Nasty rows that pass the status filter and are not rejected. */
  const NASTY_SENT = [
    NASTY.onlyId, NASTY.arabic, NASTY.hebrew, NASTY.emoji, NASTY.emailFirst, NASTY.emailSameButCase,
    NASTY.sameEthOtherCase, NASTY.blankEmail, NASTY.notAnEthAddress, NASTY.nullProfileKeys, NASTY.emojiOnlyName, NASTY.yesNoFlag,
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

  it('dry run: every active row either becomes the exact payload or is rejected with its field and rule', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const sent = migratedRegular().length + NASTY_SENT.length;
    const runDir = latestRunDir(fixture.dir, job);
    expect(rejectionKeys(readJsonl(join(runDir, 'rejects.jsonl')))).toEqual([...REJECTED].sort());
    expect(latestSummary(fixture.dir, job)).toMatchObject({
      dryRun: true, addsUp: true, extracted: sent + REJECTED.length, wouldSend: sent, rejected: REJECTED.length,
    });

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
    // A row with nothing but its id: only the legacy id is left.
    expect(nasty(NASTY.onlyId)).toEqual({ metadata: { legacyId: String(NASTY.onlyId) } });
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
    // The API's contract checks only the legacy top-level wallets (btcWallet, ...) against a pattern;
    // an address in `wallets` is sent as is, so a malformed one reaches Dynamic.
    expect(nasty(NASTY.notAnEthAddress)?.wallets).toEqual([expect.objectContaining({ publicWalletAddress: 'not-an-address', chain: 'ETH' })]);
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

  it('real run: lands exactly the valid users; a case-twin email and a shared wallet are conflicts with the users that hold them', async () => {
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    // One batch in flight, so which of the two look-alike rows arrives first is fixed.
    const result = await runCli(args('--concurrency', '1'), env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const sent = migratedRegular().length + NASTY_SENT.length;
    expect(latestSummary(fixture.dir, job)).toMatchObject({
      addsUp: true, created: sent - 2, alreadyExisted: 0, conflicts: 2, failed: 0, rejected: REJECTED.length,
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
  });
});
