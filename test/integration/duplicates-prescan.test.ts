import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDuplicates, planDuplicatesFrom } from '../../src/duplicates/index.js';
import { narrowedKeys } from '../../src/duplicates/plan-duplicates.js';
import { connectSource, readSourcePages } from '../../src/extract/index.js';
import { compileMapping, parseMapping } from '../../src/mapping/index.js';
import type { MappingSpec } from '../../src/mapping/index.js';
import { jobConfigSchema, migrateJob } from '../../src/pipeline/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { TestDatabase } from '../helpers/postgres.js';

/** The first `suffix` candidate of decide-duplicates.ts for a legacy id: `name_<4 base-36 of sha256(id)>`. */
function firstSuffix(username: string, legacyId: string): string {
  const tag = (createHash('sha256').update(legacyId).digest().readUInt32BE(0) % 36 ** 4).toString(36).padStart(4, '0');
  return `${[...username].slice(0, 15).join('')}_${tag}`;
}

// Who collides with whom only after normalisation, each in a way a SQL pre-filter could miss:
//  1/2  emails in other case and with spaces around (trimmed by the mapping)
//  3/4  EVM addresses in other case, ETH vs EVM, one in a child table, one on the user row
//  5/6  the Kelvin sign: JavaScript lower-cases "\u212Aate" to "kate", PostgreSQL's lower() may not
//  7/8  a no-break space the mapping's trim removes (JavaScript's trim; PostgreSQL's btrim keeps it)
//  9/10 the same OAuth account
// 11/12 usernames in other case (a cluster of the usernames policy); 13 holds, in upper case, the
//       name `suffix` would give 12 first, so 12 must get another: 13 shares nothing with anyone
// 14    rejected by the mapping (a bad email) while sharing 15's username: no cluster
// 16    shares nothing
const ROWS = [
  { id: 1, email: 'Ann.Lee@Example.com', username: 'ann', eth: null },
  { id: 2, email: '  ann.lee@example.COM ', username: 'ann_two', eth: null },
  { id: 3, email: 'bob@example.com', username: 'bob', eth: null },
  { id: 4, email: 'carl@example.com', username: 'carl', eth: '0xcccc00000000000000000000000000000000c003' },
  { id: 5, email: 'kate@example.com', username: 'kate', eth: null },
  { id: 6, email: 'kate2@example.com', username: '\u212Aate', eth: null },
  { id: 7, email: 'dana@example.com', username: 'dana', eth: null },
  { id: 8, email: 'dana@example.com\u00a0', username: 'dana_b', eth: null },
  { id: 9, email: 'erin@example.com', username: 'erin', eth: null },
  { id: 10, email: 'erin2@example.com', username: 'erin_b', eth: null },
  { id: 11, email: 'finn@example.com', username: 'Finn', eth: null },
  { id: 12, email: 'gail@example.com', username: 'FINN', eth: null },
  { id: 13, email: 'hal@example.com', username: firstSuffix('FINN', '12').toUpperCase(), eth: null },
  { id: 14, email: 'not an email', username: 'ivy', eth: null },
  { id: 15, email: 'ivy@example.com', username: 'IVY', eth: null },
  { id: 16, email: 'solo@example.com', username: 'solo', eth: null },
];

function mappingFor(duplicates: Record<string, string>): MappingSpec {
  return parseMapping({
    job: 'prescan',
    source: {
      table: 'accounts',
      primaryKey: 'id',
      children: {
        wallets: { table: 'account_wallets', foreignKey: 'account_id', orderBy: 'id' },
        identities: { table: 'account_identities', foreignKey: 'account_id', orderBy: 'id' },
      },
    },
    fields: { email: { column: 'email', transforms: ['trim', 'nullIfEmpty'] }, username: { column: 'username', transforms: ['trim'] } },
    wallets: [
      { from: 'wallets', address: 'address', chain: 'chain', walletName: { constant: 'Imported' }, walletProvider: { constant: 'browserExtension' } },
      { from: 'row', address: 'eth', chain: { constant: 'EVM' }, walletName: { constant: 'MetaMask' }, walletProvider: { constant: 'browserExtension' } },
    ],
    oauthAccounts: [{ from: 'identities', provider: 'provider', accountId: 'uid' }],
    duplicates,
  }, 'prescan.json');
}

const POLICIES: Array<Record<string, string>> = [
  { policy: 'rejectAllButFirst' },
  { policy: 'keepNewest', newestBy: 'updated_at' },
  { policy: 'merge' },
  { policy: 'rejectAllButFirst', usernames: 'suffix' },
  { usernames: 'drop' },
];

describe('the duplicates pre-scan narrowed by PostgreSQL decides as a scan of every row does', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await sql`create table accounts (id integer primary key, email text, username text, eth text, updated_at timestamptz not null)`.execute(db.admin);
    await sql`create table account_wallets (id serial primary key, account_id integer not null references accounts(id), chain text not null, address text not null)`.execute(db.admin);
    await sql`create table account_identities (id serial primary key, account_id integer not null references accounts(id), provider text not null, uid text not null)`.execute(db.admin);
    await db.admin.insertInto('accounts').values(ROWS.map((row) => ({ ...row, updated_at: new Date(Date.UTC(2024, 0, 30 - row.id)).toISOString() }))).execute();
    await db.admin.insertInto('account_wallets').values([
      { account_id: 1, chain: 'ETH', address: '0xaaaa00000000000000000000000000000000a001' },
      { account_id: 3, chain: 'ETH', address: '0xCCCC00000000000000000000000000000000C003' },
    ]).execute();
    await db.admin.insertInto('account_identities').values([
      { account_id: 9, provider: 'github', uid: 'gh-9' },
      { account_id: 10, provider: 'github', uid: 'gh-9' },
      { account_id: 16, provider: 'github', uid: 'gh-16' },
    ]).execute();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('reads back only the rows that may collide: every pair above, the Kelvin sign\'s and the no-break space\'s partners too, not the loner', async () => {
    const spec = mappingFor({ policy: 'rejectAllButFirst' });
    const narrowed = await narrowedKeys(db.admin, spec, compileMapping(spec), { pageSize: 4 });
    expect(narrowed?.keys).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '14', '15']);
  });

  it('does not take empty strings for a shared identity: a legacy `default \'\'` column leaves the candidates as they were', async () => {
    const spec = mappingFor({ policy: 'rejectAllButFirst' });
    const blank = { email: '', username: '', eth: '', updated_at: new Date(Date.UTC(2024, 0, 1)).toISOString() };
    await db.admin.insertInto('accounts').values([{ id: 17, ...blank }, { id: 18, ...blank }]).execute();
    try {
      const narrowed = await narrowedKeys(db.admin, spec, compileMapping(spec), { pageSize: 4 });
      expect(narrowed?.keys).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '14', '15']);
    } finally {
      await db.admin.deleteFrom('accounts').where('id', 'in', [17, 18]).execute();
    }
  });

  it.each(POLICIES)('decides as the scan of every row for %o', async (duplicates) => {
    const spec = mappingFor(duplicates);
    const mapRow = compileMapping(spec);
    const narrowed = await planDuplicates(db.admin, spec, mapRow, { pageSize: 4 });
    const everyRow = await planDuplicatesFrom(() => readSourcePages(db.admin, spec.source, { after: null, pageSize: 4 }), mapRow, spec.duplicates!, 'accounts');
    expect(narrowed.clusters).toEqual(everyRow.clusters);
    expect([...narrowed.decisions]).toEqual([...everyRow.decisions]);
  });

  it('finds the clusters that only normalisation makes, and renames past a username a row outside them holds', async () => {
    const spec = mappingFor({ policy: 'rejectAllButFirst', usernames: 'suffix' });
    const plan = await planDuplicates(db.admin, spec, compileMapping(spec), { pageSize: 4 });
    expect(plan.clusters.map((cluster) => `${cluster.kind} ${cluster.legacyIds.join(',')}`)).toEqual([
      'email 1,2', 'wallet 3,4', 'username 5,6', 'email 7,8', 'oauth 9,10', 'username 11,12',
    ]);
    expect(plan.decisions.get('2')).toMatchObject({ action: 'reject', keptLegacyId: '1' });
    expect(plan.decisions.get('8')).toMatchObject({ action: 'reject', keptLegacyId: '7' });
    const renamed = plan.decisions.get('12');
    expect(renamed).toMatchObject({ action: 'send', username: { keptBy: '11' } });
    expect(renamed?.action === 'send' && renamed.username?.to).not.toBe(firstSuffix('FINN', '12'));
  });

  it('reports a duration that covers the pre-scan: the pre-scan\'s own time is part of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-prescan-'));
    try {
      const mappingFile = join(dir, 'prescan.json');
      writeFileSync(mappingFile, JSON.stringify(mappingFor({ policy: 'rejectAllButFirst' })));
      // A clock of the source's own: an hour passes with every query the source runs, until the
      // passes start. The pre-scan's share is then the hours of its own queries, and the duration
      // covers them only if it starts before the pre-scan does.
      let queries = 0;
      let passesStarted = false;
      const source = connectSource(db.url, { log: () => { if (!passesStarted) queries++; } });
      const now = () => queries * 3_600_000;
      const config = jobConfigSchema.parse({
        job: 'prescan', mappingFile, databaseUrl: db.url, dryRun: true, checkpointDir: join(dir, 'checkpoints'), reportsDir: join(dir, 'reports'),
      });
      try {
        const { summary } = await migrateJob(config, { now, source, sourceDescription: 'prescan', observer: { started: () => { passesStarted = true; } } });
        // The narrowing: the column types, one query per kind, the rows by key and their children.
        expect(summary.duplicatesScanMs).toBeGreaterThanOrEqual(4 * 3_600_000);
        // Every query before the passes (reading the columns, the pre-scan, ...) is in the duration.
        expect(summary.durationMs).toBe(queries * 3_600_000);
        expect(summary.durationMs).toBeGreaterThan(summary.duplicatesScanMs ?? Number.POSITIVE_INFINITY);
      } finally {
        await source.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
