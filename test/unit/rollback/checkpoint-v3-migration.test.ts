import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore, SCHEMA_VERSION } from '../../../src/checkpoint/index.js';
import { MIGRATIONS, type CheckpointTables } from '../../../src/checkpoint/checkpoint-schema.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A checkpoint exactly as version 2 wrote it: migrations 1 and 2 only, one job, two ledger entries. */
async function writeVersion2(path: string): Promise<void> {
  const db = new Kysely<CheckpointTables>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  for (const up of MIGRATIONS.slice(0, 2)) await up(db);
  await db.insertInto('schema_version').values({ version: 2 }).execute();
  const now = '2024-01-01T00:00:00.000Z';
  await db.insertInto('job').values({
    id: 1, name: 'job', fingerprint: JSON.stringify({ source: 's', mappingHash: 'h', environmentId: '11111111-2222-4333-8444-555555555555' }),
    cursor: '2', cursor_seq: 1, created_at: now, updated_at: now, last_run_started_at: null, last_run_finished_at: null,
    phase: 'full', incremental_since: null, child_watermarks: '{}',
  } as never).execute(); // the row as version 2 had it: no later columns
  const entry = { payload_hash: 'p', error_code: null, error_message: null, batch_seq: 1, first_seen_at: now, updated_at: now };
  await db.insertInto('ledger').values([
    { legacy_id: '1', sort_key: 'a1', dynamic_user_id: 'dyn-1', outcome: 'created', ...entry },
    { legacy_id: '2', sort_key: 'a2', dynamic_user_id: 'dyn-2', outcome: 'already_exists', ...entry },
    { legacy_id: '3', sort_key: 'a3', dynamic_user_id: 'dyn-3', outcome: 'updated', ...entry },
  ] as never).execute();
  await db.destroy();
}

describe('checkpoint schema upgrades (3: rollback; 4: owners, conflicts, in doubt; 5: scopes)', () => {
  it('upgrades a version-2 file, keeps every ledger entry, and rolls back only what the job created', async () => {
    expect(SCHEMA_VERSION).toBe(5);
    dir = mkdtempSync(join(tmpdir(), 'dm-v3-'));
    const path = join(dir, 'job.db');
    await writeVersion2(path);
    const store = await CheckpointStore.open(path, { create: false });
    try {
      const before = await store.ledgerEntries(['1', '2', '3']);
      expect(before.get('1')).toMatchObject({ outcome: 'created', dynamicUserId: 'dyn-1', payloadHash: 'p', owner: 'job', identityHash: null });
      // Before schema 4 "already existed" meant someone else held the email: a conflict now.
      expect(before.get('2')).toMatchObject({ outcome: 'conflict', dynamicUserId: 'dyn-2', owner: 'other' });
      // An update of before may have been a replay merged into someone's account: owner unknown.
      expect(before.get('3')).toMatchObject({ outcome: 'updated', owner: null });
      expect(await store.markRolledBack('2')).toBe(false); // only users the job created can be rolled back
      expect(await store.markRolledBack('3')).toBe(false);
      expect(await store.markRolledBack('1')).toBe(true);
      expect(await store.markRolledBack('1')).toBe(false);
      const after = await store.ledgerEntries(['1']);
      expect(after.get('1')).toMatchObject({ outcome: 'rolled_back', dynamicUserId: 'dyn-1' });
      expect((await store.status()).counts).toMatchObject({ created: 0, conflict: 1, updated: 1, rolled_back: 1 });
    } finally {
      await store.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('select version from schema_version').all()).toEqual([{ version: 5 }]);
    expect(raw.prepare('select reported_seq from job').get()).toEqual({ reported_seq: 0 });
    raw.close();
  });
});
