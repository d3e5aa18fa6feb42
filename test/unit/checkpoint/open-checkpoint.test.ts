import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, SCHEMA_VERSION } from '../../../src/checkpoint/index.js';
import { CheckpointError } from '../../../src/errors.js';
import { openStarted, useTempDir } from './temp-store.js';

const temp = useTempDir();

async function openError(path: string, create: boolean): Promise<CheckpointError> {
  const error: unknown = await CheckpointStore.open(path, { create }).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  return error as CheckpointError;
}

describe('CheckpointStore.open', () => {
  it('without create, a missing file is an error naming the job', async () => {
    const path = join(temp.dir(), 'nightly.db');
    const error = await openError(path, false);
    expect(error.code).toBe('checkpoint_missing');
    expect(error.message).toMatch(/^no checkpoint for job nightly/);
    expect(existsSync(path)).toBe(false);
  });

  it('creates the file (and its folder) with mode 0600, WAL and full sync', async () => {
    const path = join(temp.dir(), 'checkpoints', 'job.db');
    const store = temp.track(await openStarted(join(temp.dir(), 'checkpoints')));
    await store.planBatch({ firstKey: '1', lastKey: '1', sendKeys: ['1'], upsert: false });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('select version from schema_version').all()).toEqual([{ version: SCHEMA_VERSION }]);
    } finally {
      raw.close();
    }
  });

  it('tightens the mode of an existing file opened again', async () => {
    const dir = temp.dir();
    await (await openStarted(dir)).close();
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, 'job.db'), 0o644);
    temp.track(await CheckpointStore.open(join(dir, 'job.db'), { create: false }));
    expect(statSync(join(dir, 'job.db')).mode & 0o777).toBe(0o600);
  });

  it('a file of garbage bytes is reported as damaged and left untouched', async () => {
    const path = join(temp.dir(), 'job.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, index) => (index * 37) % 256));
    writeFileSync(path, garbage);
    for (const create of [false, true]) {
      const error = await openError(path, create);
      expect(error.code).toBe('checkpoint_damaged');
      expect(error.message).toMatch(/is damaged: it is not an SQLite database/);
    }
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('an SQLite file with a corrupted body is reported as damaged', async () => {
    const dir = temp.dir();
    await (await openStarted(dir)).close();
    const path = join(dir, 'job.db');
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100); // keep the 100-byte header, destroy the schema page and everything after
    writeFileSync(path, bytes);
    expect((await openError(path, false)).code).toBe('checkpoint_damaged');
  });

  it('an SQLite database that is not a checkpoint is damaged, never adopted', async () => {
    const path = join(temp.dir(), 'job.db');
    const other = new Database(path);
    other.exec('create table users (id integer primary key)');
    other.close();
    const error = await openError(path, true);
    expect(error.code).toBe('checkpoint_damaged');
    expect(error.message).toMatch(/not a dynamic-migrate checkpoint/);
  });

  it('a checkpoint missing one of its tables is damaged', async () => {
    const dir = temp.dir();
    await (await openStarted(dir)).close();
    const raw = new Database(join(dir, 'job.db'));
    raw.exec('drop table ledger');
    raw.close();
    expect((await openError(join(dir, 'job.db'), false)).message).toMatch(/tables missing: ledger/);
  });

  it('an empty file opened without create is damaged; with create it gets the schema', async () => {
    const path = join(temp.dir(), 'job.db');
    writeFileSync(path, '');
    expect((await openError(path, false)).code).toBe('checkpoint_damaged');
    const store = temp.track(await CheckpointStore.open(path, { create: true }));
    expect(await store.job()).toBeUndefined();
  });

  it('a checkpoint written by a newer version is refused', async () => {
    const dir = temp.dir();
    await (await openStarted(dir)).close();
    const raw = new Database(join(dir, 'job.db'));
    raw.prepare('update schema_version set version = ?').run(SCHEMA_VERSION + 1);
    raw.close();
    expect((await openError(join(dir, 'job.db'), false)).code).toBe('checkpoint_version');
  });

  it('an unreadable fingerprint is damage, not a fresh start', async () => {
    const dir = temp.dir();
    await (await openStarted(dir)).close();
    const raw = new Database(join(dir, 'job.db'));
    raw.prepare('update job set fingerprint = ?').run('{not json');
    raw.close();
    expect((await openError(join(dir, 'job.db'), false)).code).toBe('checkpoint_damaged');
  });
});
