// The checkpoint in a shared PostgreSQL: the same queries as the embedded file, against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPostgresCheckpoint } from '../../src/checkpoint/postgres-state.js';
import type { CheckpointStore } from '../../src/checkpoint/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/run-cli.js';
import { allCreated, collect, FINGERPRINT, keys, sendBatch } from '../unit/checkpoint/temp-store.js';

let state: TestDatabase;
const opened: CheckpointStore[] = [];

beforeAll(async () => {
  state = await createTestDatabase();
});
afterAll(async () => {
  for (const store of opened) await store.close().catch(() => undefined);
  await state.drop();
});

async function open(job: string, options: { create?: boolean; scope?: number; client?: string } = {}): Promise<CheckpointStore> {
  const store = await openPostgresCheckpoint(state.url, job, { create: options.create ?? true, ...options });
  opened.push(store);
  return store;
}

describe('checkpoint in PostgreSQL', () => {
  it('advances the cursor over the contiguous settled prefix only, and a reopened store sees it', async () => {
    const store = await open('prefix');
    await store.startJob('prefix', FINGERPRINT);
    const batches = [keys(1, 50), keys(51, 50), keys(101, 50)];
    const [one, two, three] = [await sendBatch(store, batches[0]!), await sendBatch(store, batches[1]!), await sendBatch(store, batches[2]!)];
    await store.settleBatch(two, allCreated(batches[1]!));
    await store.settleBatch(three, allCreated(batches[2]!));
    expect((await store.job())?.cursor).toBeNull();
    await store.settleBatch(one, allCreated(batches[0]!));
    expect((await store.job())?.cursor).toBe('150');
    await store.close();

    const again = await open('prefix', { create: false });
    expect((await again.status()).counts.created).toBe(150);
    expect((await again.ledgerEntries(['7'])).get('7')).toMatchObject({ outcome: 'created', dynamicUserId: 'dyn-7' });
    // Numeric ids in numeric order, as the embedded file pages them (sort keys compared byte-wise).
    expect((await collect(again.idMap({ pageSize: 7 }))).map((entry) => entry.legacyId)).toEqual(keys(1, 150));
  });

  it('keeps the keys of unsettled batches in doubt across a restart, with the identities they were sent with', async () => {
    const store = await open('doubt');
    await store.startJob('doubt', FINGERPRINT);
    const seq = await store.planBatch({
      firstKey: '1', lastKey: '3', sendKeys: ['1', '2', '3'], upsert: false,
      sentIdentities: { 2: [{ key: 'email:b@example.com', column: 'email', value: 'b@example.com' }] },
    });
    await store.markSent(seq);
    await store.close(); // the crash

    const resumed = await open('doubt', { create: false });
    await resumed.discardUnsettled();
    expect([...(await resumed.inDoubtKeys())]).toEqual(['1', '2', '3']);
    expect((await resumed.inDoubtDetails()).get('2')?.identities).toHaveLength(1);
    const replay = await resumed.planBatch({ firstKey: '1', lastKey: '3', sendKeys: ['1', '2', '3'], upsert: false, pass: 'in_doubt' });
    await resumed.markSent(replay);
    await resumed.settleBatch(replay, { outcomes: allCreated(['1', '2']).outcomes, rejections: [] });
    // Key 3 was not in the answer: still in doubt, never dropped.
    expect([...(await resumed.inDoubtKeys())]).toEqual(['3']);
  });

  it('gives each scope a cursor chain, a journal and in-doubt keys of its own over one ledger', async () => {
    const whole = await open('scoped');
    await whole.startJob('scoped', FINGERPRINT);
    const [low, high] = [await open('scoped', { scope: 2 }), await open('scoped', { scope: 3 })];
    await low.startJob('scoped', FINGERPRINT);
    await high.startJob('scoped', FINGERPRINT, { cursor: '100' });
    expect((await high.job())?.cursor).toBe('100');

    const lowSeq = await sendBatch(low, keys(1, 10));
    const highSeq = await sendBatch(high, keys(101, 10));
    const stuck = await sendBatch(high, keys(111, 10));
    await high.settleBatch(highSeq, allCreated(keys(101, 10)));
    await low.settleBatch(lowSeq, allCreated(keys(1, 10)));
    // Seqs interleave across scopes; each cursor follows its own batches only.
    expect((await low.job())?.cursor).toBe('10');
    expect((await high.job())?.cursor).toBe('110');
    expect((await low.unsettledBatches())).toEqual([]);
    expect((await high.unsettledBatches()).map((batch) => batch.seq)).toEqual([stuck]);
    await high.discardUnsettled();
    expect((await low.inDoubtKeys()).size).toBe(0);
    expect([...(await high.inDoubtKeys())]).toEqual(keys(111, 10));
    // One ledger: every scope's users in one status and one id map.
    expect((await whole.status()).counts.created).toBe(20);
    expect((await whole.ledgerEntries(['5', '105'])).size).toBe(2);
  });

  it('reports each scope its own rejections', async () => {
    const [a, b] = [await open('rejects', { scope: 2 }), await open('rejects', { scope: 3 })];
    await a.startJob('rejects', FINGERPRINT);
    await b.startJob('rejects', FINGERPRINT);
    const rejection = (legacyId: string) => ({ legacyId, field: 'email', rule: 'pattern', message: 'does not match', value: 'x***' });
    // B's batch comes first: its seq lies inside the range of A's unreported seqs.
    const seqB = await b.planBatch({ firstKey: '50', lastKey: '51', sendKeys: ['50'], upsert: false });
    const seqA = await a.planBatch({ firstKey: '1', lastKey: '2', sendKeys: ['1'], upsert: false });
    await b.settleBatch(seqB, { outcomes: allCreated(['50']).outcomes, rejections: [rejection('51')] });
    await a.settleBatch(seqA, { outcomes: allCreated(['1']).outcomes, rejections: [rejection('2')] });
    const ofA = await a.unreportedRejections();
    expect((await collect(ofA.rows)).map((row) => row.legacyId)).toEqual(['2']);
    await a.markRejectionsReported(ofA.through);
    expect(await collect((await a.unreportedRejections()).rows)).toEqual([]);
    expect((await collect((await b.unreportedRejections()).rows)).map((row) => row.legacyId)).toEqual(['51']);
  });

  it('keeps the rate limiter\'s sends per client address across a restart', async () => {
    const store = await open('sends', { client: '127.0.0.2' });
    await store.startJob('sends', FINGERPRINT);
    const now = Date.now();
    const journal = store.sendJournal({ retainMs: 60_000, now: () => now });
    const id = journal.sent(now - 1000);
    journal.answered(id, now - 900, 'accepted');
    journal.sent(now - 500); // its process dies before the answer
    await store.close();

    const same = await open('sends', { create: false, client: '127.0.0.2' });
    expect(same.sendJournal({ retainMs: 60_000, now: () => now }).recent()).toEqual([
      { grantedAt: now - 1000, doneAt: now - 900, answer: 'accepted' },
      { grantedAt: now - 500, doneAt: null, answer: null },
    ]);
    const other = await open('sends', { create: false, client: '127.0.0.3' });
    expect(other.sendJournal({ retainMs: 60_000, now: () => now }).recent()).toEqual([]);
  });

  it('refuses a missing job without create, and never names the password', async () => {
    const url = new URL(state.url);
    url.password = 'sekret-pw';
    const error = await openPostgresCheckpoint(url.toString(), 'nobody', { create: false }).catch((caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: 'checkpoint_missing' });
    expect(String((error as Error).message)).not.toContain('sekret-pw');
    const client = new pg.Client({ connectionString: state.url });
    await client.connect();
    try {
      expect((await client.query(`select 1 from information_schema.schemata where schema_name = 'dm_nobody'`)).rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('status and export read a job from the state database (--state-url, or its env variable)', async () => {
    const store = await open('cli-read');
    await store.startJob('cli-read', FINGERPRINT);
    const seq = await sendBatch(store, keys(1, 3));
    await store.settleBatch(seq, allCreated(keys(1, 3)));
    const dir = '/nonexistent/checkpoints'; // nothing is read from (or written to) a checkpoint folder

    const status = await runCli(['status', '--job', 'cli-read', '--checkpoint-dir', dir, '--state-url', state.url, '--json']);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as { total: number; counts: { created: number }; cursor: string; files: { checkpoint: string } };
    expect(json).toMatchObject({ total: 3, counts: { created: 3 }, cursor: '3' });
    expect(json.files.checkpoint).toContain('(schema dm_cli-read)');

    const exported = await runCli(['export', 'idmap', '--job', 'cli-read', '--checkpoint-dir', dir, '--format', 'jsonl'], { DYNAMIC_MIGRATE_STATE_URL: state.url });
    expect(exported.code).toBe(0);
    expect(exported.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { dynamicUserId: string }).dynamicUserId)).toEqual(['dyn-1', 'dyn-2', 'dyn-3']);

    const missing = await runCli(['status', '--job', 'nobody-here', '--checkpoint-dir', dir, '--state-url', state.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no checkpoint for job nobody-here');
  });
});
