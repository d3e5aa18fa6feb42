import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../../src/checkpoint/index.js';
import { writeIdMapFile } from '../../../src/cli/id-map-writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dm-idmap-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

/** Only `idMap` is read; `onFirst` runs when the writer asks for the first entry, before any line of it is written. */
function ledger(onFirst: () => void = () => {}): CheckpointStore {
  return {
    async *idMap() {
      onFirst();
      yield { legacyId: '7', dynamicUserId: '0b5c1e8e-6f1d-4d5e-9a3b-1c2d3e4f5a6b', outcome: 'created' };
      yield { legacyId: '8', dynamicUserId: null, outcome: 'failed' };
    },
  } as unknown as CheckpointStore;
}

describe('writeIdMapFile', () => {
  it('creates the file with mode 0600', async () => {
    const path = join(tempDir(), 'idmap.csv');
    expect(await writeIdMapFile(ledger(), path, 'csv')).toBe(2);
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('legacy_id,dynamic_user_id,outcome\n7,0b5c1e8e-6f1d-4d5e-9a3b-1c2d3e4f5a6b,created\n8,,failed\n');
  });

  it('makes an existing, world-readable file 0600 before writing anything into it', async () => {
    const path = join(tempDir(), 'idmap.jsonl');
    writeFileSync(path, 'an older export\n');
    chmodSync(path, 0o644);
    let atFirstEntry: { mode: number; size: number } | undefined;
    await writeIdMapFile(ledger(() => (atFirstEntry = { mode: mode(path), size: statSync(path).size })), path, 'jsonl');
    // jsonl has no header: when the first entry is asked for, nothing has been written yet.
    expect(atFirstEntry).toEqual({ mode: 0o600, size: 0 });
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});
