import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import type { EmulatorProcess } from '../helpers/emulator-process.js';
import { ENVIRONMENT_ID, latestRunDir, latestSummary, readJsonl } from '../helpers/migration-fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { byLegacyId, createExampleFixture, legacyIdOf, rejectionKeys, runSqlFile } from '../fixtures/example-fixture.js';
import type { ExampleFixture } from '../fixtures/example-fixture.js';

// mappings/dirty-crm.ts end to end on test/fixtures/dirty-crm: every kind of dirt of issue 15 in one
// table; real PostgreSQL, the CLI and the emulator as child processes.
describe('dirty data costs a field, not a user', () => {
  let fixture: ExampleFixture;
  let emulator: EmulatorProcess;
  const job = 'dirty-crm';
  const args = (...extra: string[]) => ['run', '--mapping', 'mappings/dirty-crm.ts', '--database-url', fixture.db.url, ...fixture.dirArgs, '--batch-size', '5', ...extra];

  /** The members with nothing left to sign in with: the only rejections. */
  const REJECTED = ['9 (user) no_sign_in_method', '10 (user) no_sign_in_method', '10 phoneNumber transform', '18 (user) no_sign_in_method', '18 wallets[0].publicWalletAddress address_format'];
  const SENT = ['1', '2', '3', '4', '5', '6', '7', '8', '11', '12', '13', '14', '15', '16', '17', '19', '20', '21', '22'];
  /** Every value dropped from a member who is sent: `<legacy id> <field> <rule>`. */
  const DROPPED = [
    '4 country transform',
    '5 country transform', '5 newsletterNotification transform', '5 phoneNumber transform',
    '11 wallets[2].publicWalletAddress address_format',
    '13 oauthAccounts[0].provider value_map', '13 wallets[0].publicWalletAddress address_checksum',
    '14 wallets[1].additionalWalletAddresses[0].address address_format',
    '15 wallets[0].publicWalletAddress address_checksum', '15 wallets[1].publicWalletAddress address_format',
    '16 wallets[4].publicWalletAddress address_format', '16 wallets[5].publicWalletAddress address_format', '16 wallets[6].publicWalletAddress address_range',
    '17 wallets[3].publicWalletAddress address_checksum', '17 wallets[4].publicWalletAddress address_checksum',
    '17 wallets[5].publicWalletAddress address_format', '17 wallets[6].publicWalletAddress address_checksum', '17 wallets[7].publicWalletAddress address_checksum',
    '19 email pattern',
    '20 wallets[0].chain value_map',
  ].sort();
  const wallet = (chain: string, address: string, extra: object = {}) => ({ publicWalletAddress: address, chain, walletName: 'Imported wallet', walletProvider: 'browserExtension', ...extra });

  beforeAll(async () => {
    fixture = await createExampleFixture((db) => runSqlFile(db, new URL('../fixtures/dirty-crm/schema.sql', import.meta.url)));
    emulator = await startEmulatorProcess(['--rate-limit', '0']);
  });
  afterAll(async () => {
    await emulator?.stop();
    await fixture?.cleanup();
  });

  it('check shows the dropped values in a section of their own', async () => {
    const result = await runCli(['check', '--mapping', 'mappings/dirty-crm.ts', '--database-url', fixture.db.url, '--sample', '100']);
    expect(result.stdout).toMatch(/Dropped values \(the user is sent without them\)/);
    expect(result.stdout).toMatch(/country\s+transform/);
    expect(result.stdout).toMatch(/19 map cleanly, 3 would be rejected/);
  });

  it('dry run: every member who can sign in would be sent; phones read through the row’s country; usernames unique; every dropped value reported', async () => {
    const result = await runCli(args('--dry-run'));
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    const runDir = latestRunDir(fixture.dir, job);
    expect(rejectionKeys(readJsonl(join(runDir, 'rejects.jsonl')))).toEqual([...REJECTED].sort());
    const summary = latestSummary(fixture.dir, job);
    expect(summary).toMatchObject({ dryRun: true, addsUp: true, extracted: 22, wouldSend: SENT.length, rejected: 3 });
    expect(summary.dropped).toMatchObject({ 'country transform': 2, 'wallets[*].publicWalletAddress address_checksum': 6, 'wallets[*].publicWalletAddress address_format': 5, 'wallets[*].publicWalletAddress address_range': 1, 'email pattern': 1 });

    const payloads = byLegacyId(readJsonl(join(runDir, 'payloads.jsonl')).map((line) => line.payload as Record<string, unknown>), 'legacyId');
    expect([...payloads.keys()].sort()).toEqual([...SENT].sort());
    const at = (id: number) => payloads.get(String(id));

    // National numbers in the member's own country; a placeholder country falls back to options.phoneRegion.
    expect(at(1)).toMatchObject({ phoneNumber: '+49301234567', country: 'DE', username: 'Ann_Lee', newsletterNotification: true });
    expect(at(2)).toMatchObject({ phoneNumber: '+442079460018', country: 'GB' });
    expect(at(3)).toMatchObject({ phoneNumber: '+14155550123', country: 'US' });
    expect(at(7)).toMatchObject({ phoneNumber: '+33123456789', country: 'FR' });
    expect(at(4)).toMatchObject({ phoneNumber: '+12125550100', username: 'dee_d' });
    expect(at(4)).not.toHaveProperty('country');
    expect(at(5)).toEqual({ email: 'eve@example.com', username: 'eve_e', firstName: 'Eve', lastName: 'Adams', metadata: { legacyId: '5' } });
    // Clashing slugs made unique within 20 characters.
    expect([at(6)?.username, at(7)?.username, at(8)?.username]).toEqual(['Christopher_Alexande', 'Christopher_Ale_q9az', 'ann_lee_c5ki']);
    // Wallets: checked per chain, EVM sent in EIP-55 form, the bad ones dropped one by one.
    expect(at(1)?.wallets).toEqual([wallet('ETH', '0x52908400098527886E0F7030069857D2E4169EE7')]);
    expect(at(19)).toMatchObject({ wallets: [wallet('ETH', '0x8617E340B3D01FA5F11F306F4090FD50E238070D')] });
    expect(at(19)).not.toHaveProperty('email');
    expect(at(13)).not.toHaveProperty('wallets');
    expect(at(13)).not.toHaveProperty('oauthAccounts');
    expect(at(14)?.wallets).toEqual([
      wallet('BTC', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', {
        additionalWalletAddresses: [{ address: 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297', type: 'ordinals', publicKey: '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9' }],
      }),
      wallet('BTC', '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'),
    ]);
    expect((at(15)?.wallets as unknown[]).length).toBe(1);
    expect((at(11)?.wallets as Array<{ chain: string }>).map((w) => w.chain)).toEqual(['SOL', 'ECLIPSE']);
    expect((at(16)?.wallets as Array<{ chain: string }>).map((w) => w.chain)).toEqual(['COSMOS', 'SUI', 'APTOS', 'STARK']);
    expect((at(17)?.wallets as Array<{ chain: string }>).map((w) => w.chain)).toEqual(['ALGO', 'FLOW', 'TON']);
    expect(at(20)).toMatchObject({ oauthAccounts: [{ provider: 'google', accountId: 'g-20' }] });
    expect(at(20)).not.toHaveProperty('wallets');

    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as {
      dropped: Array<{ field: string; rule: string; rows: number; examples: Array<{ legacyId: string }> }>;
      duplicates: { clusters: Array<{ resolution?: string }> };
      usernameChanges: Array<{ legacyId: string; keptBy: string; to: string | null }>;
    };
    const reported = report.dropped.flatMap((group) => group.examples.map((example) => `${example.legacyId} ${group.field} ${group.rule}`));
    // The report groups by field (indexes folded) and rule and counts rows: member 17's two bad checksums are one row.
    const folded = [...new Set(DROPPED.map((line) => line.replace(/\[\d+\]/g, '[*]')))].sort();
    expect(reported.sort()).toEqual(folded);
    expect(report.dropped.reduce((sum, group) => sum + group.rows, 0)).toBe(folded.length);
    // Every rename, with who keeps the name.
    expect(report.duplicates.clusters.map((cluster) => cluster.resolution).sort()).toEqual(['kept by 1; renamed: 8 → ann_lee_c5ki', 'kept by 6; renamed: 7 → Christopher_Ale_q9az']);
    expect(report.usernameChanges).toEqual([{ legacyId: '7', keptBy: '6', to: 'Christopher_Ale_q9az' }, { legacyId: '8', keptBy: '1', to: 'ann_lee_c5ki' }]);
    const page = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(page).toMatch(/<section id="dropped">/);
    expect(page).toMatch(/<table id="username-changes">[\s\S]*#8[\s\S]*ann_lee_c5ki/);
  });

  it('real run: every member who can sign in lands with the values that could be used; no one is rejected for an optional field', async () => {
    const env = { DYNAMIC_API_URL: emulator.baseUrl, DYNAMIC_ENVIRONMENT_ID: ENVIRONMENT_ID, DYNAMIC_API_TOKEN: emulator.token };
    const result = await runCli(args(), env);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    expect(latestSummary(fixture.dir, job)).toMatchObject({ addsUp: true, created: SENT.length, conflicts: 0, failed: 0, rejected: 3, inDoubt: 0 });
    expect(rejectionKeys(readJsonl(join(latestRunDir(fixture.dir, job), 'rejects.jsonl')))).toEqual([...REJECTED].sort());

    const users = await emulator.listUsers(ENVIRONMENT_ID);
    expect(users.map((user) => legacyIdOf(user, 'legacyId')).sort()).toEqual([...SENT].sort());
    const landed = byLegacyId(users, 'legacyId');
    expect(landed.get('1')).toMatchObject({ email: 'ann@example.com', username: 'Ann_Lee', phoneNumber: '+49301234567', country: 'DE' });
    expect(landed.get('7')).toMatchObject({ username: 'Christopher_Ale_q9az', phoneNumber: '+33123456789' });
    expect(landed.get('8')).toMatchObject({ username: 'ann_lee_c5ki', firstName: 'Ann', lastName: 'Lee' });
    const chains = (id: string) => ((landed.get(id)?.wallets ?? []) as Array<{ chain: string }>).map((w) => w.chain);
    expect(chains('16')).toEqual(['COSMOS', 'SUI', 'APTOS', 'STARK']);
    expect(chains('17')).toEqual(['ALGO', 'FLOW', 'TON']);
  });
});
