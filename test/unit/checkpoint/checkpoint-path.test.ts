import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointPath, removeCheckpoint } from '../../../src/checkpoint/index.js';
import { ConfigError } from '../../../src/errors.js';
import { openStarted, useTempDir } from './temp-store.js';

const temp = useTempDir();

describe('checkpointPath', () => {
  it.each(['demo', 'users-2024.v1', 'A_b', '9', 'x'.repeat(64)])('accepts %s', (job) => {
    expect(checkpointPath('checkpoints', job)).toBe(join('checkpoints', `${job}.db`));
  });

  it.each(['', '.hidden', '-flag', '../etc/passwd', 'a/b', 'a b', 'ünï', 'x'.repeat(65), 'job\n'])(
    'rejects %j with a ConfigError',
    (job) => {
      expect(() => checkpointPath('checkpoints', job)).toThrow(ConfigError);
    },
  );
});

describe('removeCheckpoint', () => {
  it('deletes the database and its -wal/-shm files, and tolerates missing ones', async () => {
    const dir = temp.dir();
    const store = await openStarted(dir);
    await store.planBatch({ firstKey: '1', lastKey: '1', sendKeys: ['1'], upsert: false });
    const path = join(dir, 'job.db');
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    writeFileSync(`${path}-shm`, '');
    await removeCheckpoint(path);
    for (const suffix of ['', '-wal', '-shm']) expect(existsSync(`${path}${suffix}`)).toBe(false);
    await expect(removeCheckpoint(path)).resolves.toBeUndefined();
  });
});
