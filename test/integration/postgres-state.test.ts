// The checkpoint in a shared PostgreSQL: the same queries as the embedded file, against a real server.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPostgresBackend, openPostgresCheckpoint, POSTGRES_MIGRATIONS } from '../../src/checkpoint/postgres-state.js';
import { CheckpointStore, type SettledOutcome } from '../../src/checkpoint/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/run-cli.js';
import { waitUntil } from '../helpers/wait-until.js';
import { allCreated, collect, FINGERPRINT, keys, sendBatch } from '../unit/checkpoint/temp-store.js';

let state: TestDatabase;
let observer: pg.Client;
const opened: CheckpointStore[] = [];

beforeAll(async () => {
  state = await createTestDatabase();
  observer = await connect();
});
afterAll(async () => {
  for (const store of opened) await store.close().catch(() => undefined);
  await observer.end();
  await state.drop();
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: state.url });
  await client.connect();
  return client;
}

/** A connection of the test's own with `statement` run in an open transaction: what it locks stays locked. */
async function holding(statement: string): Promise<pg.Client> {
  const client = await connect();
  await client.query('begin');
  await client.query(statement);
  return client;
}

const lockWaiters = async () => (await observer.query<{ n: number }>(
  `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
)).rows[0]!.n;

/**
 * Starts `first`, and `second` once `first` waits on a lock; returns (both still running) once
 * `second` has finished or waits too. Whatever the stores lock, `first` has done everything it
 * does before waiting by the time `second` starts, so a read the lock should have fenced is
 * made for sure. The caller then lets its lock go and awaits the result.
 */
async function staggered(first: () => Promise<void>, second: () => Promise<void>): Promise<{ finished: Promise<unknown> }> {
  const one = first();
  one.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
  await waitUntil(async () => (await lockWaiters()) >= 1, 10_000);
  let secondDone = false;
  const two = second().finally(() => (secondDone = true));
  two.catch(() => undefined);
  await waitUntil(async () => secondDone || (await lockWaiters()) >= 2, 10_000);
  // Wrapped: a promise returned bare would be awaited here, before the caller can let go of its lock.
  return { finished: Promise.all([one, two]) };
}

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
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { dynamicUserId: string }).dynamicUserId)).toEqual(['dyn-1', 'dyn-2', 'dyn-3']);

    const missing = await runCli(['status', '--job', 'nobody-here', '--checkpoint-dir', dir, '--state-url', state.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no checkpoint for job nobody-here');
  });
});

describe('checkpoint in PostgreSQL, written by several processes at once', () => {
  it('two settles of one scope at once leave the cursor after both batches', async () => {
    const a = await open('race');
    await a.startJob('race', FINGERPRINT);
    const b = await open('race', { create: false }); // a second process in the same scope (a takeover)
    const [one, two] = [await sendBatch(a, keys(1, 50)), await sendBatch(a, keys(51, 50))];
    // Held while the settles start, so the second runs while the first is still open.
    const lock = await holding(`select id from "dm_race".job where id = 1 for update`);
    const both = await staggered(() => a.settleBatch(one, allCreated(keys(1, 50))), () => b.settleBatch(two, allCreated(keys(51, 50))));
    await lock.query('commit');
    await lock.end();
    await both.finished;
    expect((await a.job())?.cursor).toBe('100');
    expect(await a.unsettledBatches()).toEqual([]);
  });

  // Each side brings what the other lacks: an update lost by either shows as a missing hash.
  const fromLow: SettledOutcome = { legacyId: '7', outcome: 'created', owner: 'job', dynamicUserId: 'dyn-7', payloadHash: 'payload-low' };
  const fromHigh: SettledOutcome = { legacyId: '7', outcome: 'updated', owner: 'job', dynamicUserId: 'dyn-7', identityHash: 'identities-high' };

  it.each([
    { known: true, job: 'merge-known' },
    { known: false, job: 'merge-new' },
  ])('two scopes settling one legacy id at once both reach its ledger entry (entry there before: $known)', async ({ known, job }) => {
    const [low, high] = [await open(job, { scope: 2 }), await open(job, { scope: 3 })];
    await low.startJob(job, FINGERPRINT);
    await high.startJob(job, FINGERPRINT);
    if (known) await low.settleBatch(await sendBatch(low, ['7']), { outcomes: [{ legacyId: '7', outcome: 'failed', errorCode: 'internal' }], rejections: [] });
    const [lowSeq, highSeq] = [await sendBatch(low, ['7']), await sendBatch(high, ['7'])];
    // Locks the entry both read, or inserts the one neither can see yet: each settle has read
    // the entry (or its absence) before either writes.
    const lock = await holding(known
      ? `select 1 from "dm_${job}".ledger where legacy_id = '7' for update`
      : `insert into "dm_${job}".ledger (legacy_id, sort_key, outcome, batch_seq, first_seen_at, updated_at) values ('7', 'n0017', 'failed', 0, '-', '-')`);
    const both = await staggered(
      () => low.settleBatch(lowSeq, { outcomes: [fromLow], rejections: [] }),
      () => high.settleBatch(highSeq, { outcomes: [fromHigh], rejections: [] }),
    );
    await lock.query(known ? 'commit' : 'rollback');
    await lock.end();
    await both.finished;
    expect((await low.ledgerEntries(['7'])).get('7')).toMatchObject({
      dynamicUserId: 'dyn-7', owner: 'job', payloadHash: 'payload-low', identityHash: 'identities-high',
    });
  });

  it('a store marks sent, settles and shows the batches of its own scope only, and a discarded one not at all', async () => {
    const [low, high] = [await open('fence', { scope: 2 }), await open('fence', { scope: 3 })];
    await low.startJob('fence', FINGERPRINT);
    await high.startJob('fence', FINGERPRINT);
    const seq = await sendBatch(low, keys(1, 3));

    await expect(high.markSent(seq)).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    await expect(high.settleBatch(seq, allCreated(keys(1, 3)))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    expect(await high.batch(seq)).toBeUndefined();
    // Nothing of it written: the batch as it was, no ledger entries, neither cursor moved.
    expect(await low.batch(seq)).toMatchObject({ state: 'sent', attempts: 1 });
    expect((await low.ledgerEntries(keys(1, 3))).size).toBe(0);
    expect([(await low.job())?.cursor, (await high.job())?.cursor]).toEqual([null, null]);

    await low.discardUnsettled();
    await expect(low.settleBatch(seq, allCreated(keys(1, 3)))).rejects.toMatchObject({ code: 'checkpoint_batch_state' });
    expect(await low.batch(seq)).toBeUndefined();
    expect([...(await low.inDoubtKeys())]).toEqual(keys(1, 3));
    expect((await low.ledgerEntries(keys(1, 3))).size).toBe(0);
  });

  it('a key in doubt belongs to the scope that left it in doubt last', async () => {
    const [low, high] = [await open('doubt-moves', { scope: 2 }), await open('doubt-moves', { scope: 3 })];
    await low.startJob('doubt-moves', FINGERPRINT);
    await high.startJob('doubt-moves', FINGERPRINT);
    await sendBatch(low, keys(1, 3));
    await low.discardUnsettled();
    const replay = await high.planBatch({ firstKey: '2', lastKey: '2', sendKeys: ['2'], upsert: false, pass: 'in_doubt' });
    await high.markSent(replay);
    await high.settleBatch(replay, { outcomes: [{ legacyId: '2', outcome: 'in_doubt', errorCode: 'no_outcome' }], rejections: [] });
    expect([...(await low.inDoubtKeys())]).toEqual(['1', '3']);
    expect([...(await high.inDoubtKeys())]).toEqual(['2']);
  });
});

describe('opening the state database', () => {
  it('shares one backend among stores that do not own it', async () => {
    const backend = await openPostgresBackend(state.url, 'shared', { create: true });
    try {
      const [low, high] = [await CheckpointStore.over(backend, { scope: 2, ownsBackend: false }), await CheckpointStore.over(backend, { scope: 3, ownsBackend: false })];
      await low.startJob('shared', FINGERPRINT);
      await high.startJob('shared', FINGERPRINT);
      await low.close();
      // The pool is still open for the other chunk's store.
      const seq = await sendBatch(high, keys(1, 2));
      await high.settleBatch(seq, allCreated(keys(1, 2)));
      expect((await high.job())?.cursor).toBe('2');
      await high.close();
      expect((await backend.sql.get<{ n: number }>('select count(*)::int as n from ledger'))?.n).toBe(2);
    } finally {
      await backend.close();
    }
  });

  it('never names the password when the server refuses the connection, even if its answer quotes it', async () => {
    // A server (or a proxy in front of one) that asks for the password and quotes it back.
    const password = 'wrong-pw-s3cret';
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      let received = Buffer.alloc(0);
      let asked = false;
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (!asked) {
          // The startup message (int32 length first), answered with "send the password in clear".
          if (received.length < 4 || received.length < received.readInt32BE(0)) return;
          received = received.subarray(received.readInt32BE(0));
          asked = true;
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
        }
        // The password message: 'p', int32 length, the password, NUL.
        if (received.length < 5 || received.length < 1 + received.readInt32BE(1)) return;
        const sent = received.subarray(5, received.readInt32BE(1)).toString('utf8').replace(/\0$/, '');
        const fields = Buffer.from(`SFATAL\0VFATAL\0C28P01\0Mpassword "${sent}" is wrong for user "migrator"\0\0`);
        const length = Buffer.alloc(4);
        length.writeInt32BE(4 + fields.length);
        socket.end(Buffer.concat([Buffer.from('E'), length, fields]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await openPostgresCheckpoint(`postgres://migrator:${password}@127.0.0.1:${port}/state`, 'refused', { create: true })
        .then(() => new Error('opened'), (caught: unknown) => caught as Error);
      expect(error).toMatchObject({ code: 'checkpoint_unreachable' });
      expect(error.message).toContain('cannot open the state database 127.0.0.1');
      expect(error.message).toContain('is wrong for user');
      expect(error.message).not.toContain(password);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a schema it cannot read the sends of as unreachable, not as a driver error', async () => {
    await (await open('no-sends')).close();
    const client = await connect();
    try {
      await client.query('drop table "dm_no-sends".sends');
    } finally {
      await client.end();
    }
    await expect(openPostgresCheckpoint(state.url, 'no-sends', { create: false })).rejects.toMatchObject({
      code: 'checkpoint_unreachable', message: expect.stringContaining('"sends" does not exist') as unknown,
    });
  });

  it('upgrades a state schema of version 1 to version 2, keeping the job, with the tables of the scale-out', async () => {
    const client = await connect();
    try {
      await client.query('create schema "dm_upgrade"');
      await client.query('set search_path = "dm_upgrade"');
      await client.query('create table schema_version (version integer not null)');
      for (const statement of POSTGRES_MIGRATIONS[0]!) await client.query(statement);
      await client.query('insert into schema_version (version) values (1)');
      await client.query(`insert into job (id, name, fingerprint, created_at, updated_at) values (1, 'upgrade', $1, 'then', 'then')`, [JSON.stringify(FINGERPRINT)]);

      const store = await open('upgrade', { create: false });
      expect((await store.job())?.name).toBe('upgrade');
      expect((await client.query('select version from schema_version')).rows).toEqual([{ version: 2 }]);
      await client.query(`insert into chunks (chunk, after_key, last_key, rows) values (0, null, '100', 100), (1, '100', null, 42)`);
      await client.query(`insert into workers (id, host, pid) values ('w1', 'host-a', 123)`);
      const worker = (await client.query<Record<string, unknown>>('select * from workers')).rows[0];
      expect(worker).toMatchObject({ chunk: null, requests_last_minute: 0, users_last_minute: 0, stopped_at: null, address: null });
      expect(worker?.seen_at).toBeInstanceOf(Date);
      expect((await client.query('select chunk, rows from chunks order by chunk')).rows).toEqual([{ chunk: 0, rows: '100' }, { chunk: 1, rows: '42' }]);
    } finally {
      await client.end();
    }
  });
});
