import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/checkpoint/index.js';
import { createDemoSchema, openEmbeddedDatabase, seedDemoUsers } from '../../../src/demo/index.js';
import type { EmbeddedDatabase } from '../../../src/demo/index.js';
import { LoadError } from '../../../src/errors.js';
import { compileMapping, loadMappingFile } from '../../../src/mapping/index.js';
import type { MappingSpec } from '../../../src/mapping/index.js';
import { checkpointJournal } from '../../../src/pipeline/checkpoint-journal.js';
import { fullPass } from '../../../src/pipeline/migration-passes.js';
import { runMigration } from '../../../src/pipeline/run-migration.js';
import type { MigrationDeps, MigrationPass, PassRow } from '../../../src/pipeline/run-migration.js';
import { dryRunBatchSender } from '../../../src/pipeline/batch-sender.js';
import type { BatchSender, PipelineOutcome } from '../../../src/pipeline/batch-sender.js';
import { memoryJournal } from '../../../src/pipeline/journal.js';
import type { PlannedBatch } from '../../../src/pipeline/batch-builder.js';

// The pipeline's own logic (batching, the in-flight window, settling, resume) on a real embedded
// PostgreSQL and a real SQLite checkpoint. The sender is scripted in-process: no process boundary
// is crossed here; the HTTP path is covered by the integration tests.

interface ScriptedSender extends BatchSender {
  sent: PlannedBatch[];
  maxInFlight: number;
}

function scriptedSender(options: { failOnBatch?: number; error?: Error; delayMs?: number } = {}): ScriptedSender {
  let inFlight = 0;
  const sender: ScriptedSender = {
    sent: [],
    maxInFlight: 0,
    async send(batch) {
      const position = sender.sent.push(batch);
      inFlight += 1;
      sender.maxInFlight = Math.max(sender.maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 2));
        if (position === options.failOnBatch) throw options.error;
        return batch.users.map((user): PipelineOutcome => ({ legacyId: user.legacyId, outcome: 'created', dynamicUserId: `dyn-${user.legacyId}` }));
      } finally {
        inFlight -= 1;
      }
    },
  };
  return sender;
}

describe('runMigration', () => {
  let database: EmbeddedDatabase;
  let spec: MappingSpec;
  let seeded: Awaited<ReturnType<typeof seedDemoUsers>>;
  let dir: string;
  const valid = () => seeded.users - seeded.deleted - seeded.deliberatelyInvalid;
  const options = { job: 't', dryRun: false, pageSize: 70, batchSize: 20, concurrency: 3, upsert: false };

  beforeAll(async () => {
    database = await openEmbeddedDatabase();
    await createDemoSchema(database.db);
    seeded = await seedDemoUsers(database.db, { count: 400, seed: 3 });
    // The example as shipped: the seed's malformed emails and unsupported chains are rejected
    // (deliberatelyInvalid); its emoji names, long usernames and alpha-3 countries cost that field.
    spec = (await loadMappingFile('mappings/example.ts')).spec;
    dir = mkdtempSync(join(tmpdir(), 'dm-pipeline-'));
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A full pass from the store's resume point, as `runPasses` starts one. */
  async function fullRun(store: CheckpointStore, mapping: MappingSpec, deps: Pick<MigrationDeps, 'sender' | 'recorder' | 'signal'>) {
    const journal = checkpointJournal(store);
    const resume = await journal.resumePoint();
    const pass = fullPass(database.db, mapping.source, compileMapping(mapping), { after: resume.cursor, pageSize: options.pageSize });
    return runMigration({ ...deps, pass, inDoubtKeys: resume.inDoubtKeys, journal }, options);
  }

  async function run(store: CheckpointStore, sender: BatchSender, signal?: AbortSignal) {
    const recorded = { rejected: 0, failed: 0 };
    const summary = await fullRun(
      store,
      spec,
      {
        sender,
        recorder: { rejected: () => recorded.rejected++, failed: () => recorded.failed++, progress: () => {}, warn: () => {} },
        ...(signal ? { signal } : {}),
      },
    );
    return { summary, recorded };
  }

  async function openStore(name: string) {
    const store = await CheckpointStore.open(join(dir, `${name}.db`), { create: true });
    await store.startJob(name, { source: 's', mappingHash: 'h', environmentId: null });
    return store;
  }

  it('accounts for every row, keeps batches within size and the window within the concurrency', async () => {
    const store = await openStore('full');
    const sender = scriptedSender({ delayMs: 5 });
    const { summary, recorded } = await run(store, sender);
    expect(summary).toMatchObject({ addsUp: true, created: valid(), rejected: seeded.deliberatelyInvalid, failed: 0, interrupted: false });
    expect(recorded.rejected).toBeGreaterThanOrEqual(seeded.deliberatelyInvalid);
    expect(Math.max(...sender.sent.map((batch) => batch.users.length))).toBeLessThanOrEqual(20);
    expect(sender.maxInFlight).toBe(3);
    const status = await store.status();
    expect(status.counts.created).toBe(valid());
    expect(status.batches.planned + status.batches.sent).toBe(0);
    await store.close();
  });

  it('stops on a fatal error, leaves the batch in doubt, and the rerun replays it in doubt (no upsert) and finishes', async () => {
    const store = await openStore('fatal');
    const fatal = new LoadError('retries exhausted', { status: 503, code: 'retries_exhausted' });
    const first = await run(store, scriptedSender({ failOnBatch: 4, error: fatal }));
    expect(first.summary.fatalError).toBe('retries exhausted');
    expect(first.summary.inDoubt).toBeGreaterThan(0);
    expect(first.summary.addsUp).toBe(true);
    const doubted = await store.inDoubtKeys();
    expect(doubted.size).toBeGreaterThan(0);

    const sender = scriptedSender();
    const second = await run(store, sender);
    expect(second.summary.fatalError).toBeUndefined();
    expect(second.summary.addsUp).toBe(true);
    const replayed = sender.sent.filter((batch) => batch.users.some((user) => doubted.has(user.legacyId)));
    expect(replayed.length).toBeGreaterThan(0);
    // Replayed without upsert, each doubted user marked so: an "already exists" would be looked up.
    for (const batch of replayed) {
      expect(batch.upsert).toBe(false);
      for (const user of batch.users) expect(user.inDoubt).toBe(doubted.has(user.legacyId));
    }
    // Nobody settled in the first run is sent again, and together the two runs created everyone once.
    const sentAgain = sender.sent.flatMap((batch) => batch.users);
    expect(first.summary.created + sentAgain.length).toBe(valid());
    expect((await store.status()).counts.created).toBe(valid());
    await store.close();
  });

  it('gives the event loop turns while it maps a long page, so the page read ahead can progress', async () => {
    // A dry run: the journal and the sender never wait on I/O, so only the pipeline can yield.
    let turned = false;
    let turnedBeforeLastRow: boolean | undefined;
    const rows = Array.from({ length: 250 }, (_, index): PassRow => ({
      key: String(index + 1),
      position: String(index + 1),
      map: () => {
        if (index === 0) setImmediate(() => (turned = true));
        if (index === 249) turnedBeforeLastRow = turned;
        return { ok: true, legacyId: String(index + 1), payload: { email: `u${index}@example.com` } };
      },
    }));
    const pass: MigrationPass = { name: 'full', pages: (async function* () { yield rows; })() };
    const recorder = { rejected: () => {}, failed: () => {}, progress: () => {}, warn: () => {} };
    const deps = { pass, inDoubtKeys: new Set<string>(), journal: memoryJournal(), sender: dryRunBatchSender(() => {}), recorder };
    const summary = await runMigration(deps, { ...options, dryRun: true });
    expect(summary.wouldSend).toBe(250);
    expect(turnedBeforeLastRow).toBe(true);
  });

  it('a 400 for the whole body fails that batch only; the run goes on', async () => {
    const store = await openStore('badrequest');
    const error = new LoadError('bad request: users[3].email', { status: 400, code: 'bad_request' });
    const { summary } = await run(store, scriptedSender({ failOnBatch: 2, error }));
    expect(summary.fatalError).toBeUndefined();
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.failed).toBeLessThanOrEqual(20);
    expect(summary.created + summary.failed).toBe(valid());
    expect(summary.addsUp).toBe(true);
    await store.close();
  });

  it('an abort stops extracting, settles what is in flight, and the rerun completes', async () => {
    const store = await openStore('abort');
    const controller = new AbortController();
    const sender = scriptedSender({ delayMs: 5 });
    const original = sender.send.bind(sender);
    sender.send = async (batch, signal) => {
      if (sender.sent.length === 2) controller.abort();
      return original(batch, signal);
    };
    const first = await run(store, sender, controller.signal);
    expect(first.summary.interrupted).toBe(true);
    expect(first.summary.inDoubt).toBe(0);
    expect(first.summary.extracted).toBeLessThan(seeded.users - seeded.deleted);
    expect(first.summary.addsUp).toBe(true);
    const second = await run(store, scriptedSender());
    expect(second.summary.interrupted).toBe(false);
    expect((await store.status()).counts.created).toBe(valid());
    await store.close();
  });

  it('counts the values a mapping changed to fit the API, per field and rule, in the summary', async () => {
    const store = await openStore('warnings');
    const cleaning: MappingSpec = { ...spec, fields: { ...spec.fields, firstName: { column: 'first_name', transforms: ['trim', 'stripForbidden', 'nullIfEmpty'] } } };
    const summary = await fullRun(store, cleaning, {
      sender: scriptedSender(),
      recorder: { rejected: () => {}, failed: () => {}, progress: () => {}, warn: () => {} },
    });
    const emojiNames = seeded.invalid.filter((row) => row.kind === 'emoji_in_name').length;
    expect(emojiNames).toBeGreaterThan(0);
    expect(summary.warnings).toEqual({ 'firstName stripped': emojiNames });
    // Cleaned, their first names are sent; only the long usernames and alpha-3 countries are dropped.
    expect(summary.rejected).toBe(seeded.deliberatelyInvalid);
    const kinds = (kind: string) => seeded.invalid.filter((row) => row.kind === kind).length;
    const expected = Object.entries({ 'country pattern': kinds('alpha3_country'), 'username pattern': kinds('long_username') }).filter(([, count]) => count > 0);
    expect(expected.length).toBeGreaterThan(0);
    expect(summary.dropped).toEqual(Object.fromEntries(expected));
    expect(seeded.droppedValue).toBe(emojiNames + expected.reduce((sum, [, count]) => sum + count, 0));
    await store.close();
  });
});
