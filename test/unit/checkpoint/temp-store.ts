// Real SQLite files in a throwaway directory: the store is tested against the driver it ships with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { CheckpointStore, type Fingerprint } from '../../../src/checkpoint/index.js';

export const FINGERPRINT: Fingerprint = {
  source: 'users@localhost:5432/legacy',
  mappingHash: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  environmentId: '11111111-2222-4333-8444-555555555555',
};

/** A fresh temp directory per test, removed afterwards together with every store opened in it. */
export function useTempDir(): { dir: () => string; track: (store: CheckpointStore) => CheckpointStore } {
  let current: string | undefined;
  const stores: CheckpointStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
    if (current) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  return {
    dir: () => (current ??= mkdtempSync(join(tmpdir(), 'dm-checkpoint-'))),
    track: (store) => {
      stores.push(store);
      return store;
    },
  };
}

/** Opens a store with a job started, at `<dir>/job.db`. */
export async function openStarted(dir: string, name = 'job'): Promise<CheckpointStore> {
  const store = await CheckpointStore.open(join(dir, `${name}.db`), { create: true });
  await store.startJob(name, FINGERPRINT);
  return store;
}

/** `count` keys starting at `first`, as strings: the shape the extractor gives primary keys. */
export function keys(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => String(first + index));
}

/** Plans and marks sent a batch over `keys`, every key sent. */
export async function sendBatch(store: CheckpointStore, batchKeys: string[], upsert = false): Promise<number> {
  const seq = await store.planBatch({
    firstKey: batchKeys[0] ?? '',
    lastKey: batchKeys.at(-1) ?? '',
    sendKeys: batchKeys,
    upsert,
  });
  await store.markSent(seq);
  return seq;
}

/** Every key created, with Dynamic id `dyn-<key>`. */
export function allCreated(batchKeys: string[]) {
  return {
    outcomes: batchKeys.map((legacyId) => ({ legacyId, outcome: 'created' as const, dynamicUserId: `dyn-${legacyId}` })),
    rejections: [],
  };
}

/** Closes `store` and opens its file again, as the next run would; the new store is tracked. */
export async function reopen(
  temp: { track: (store: CheckpointStore) => CheckpointStore },
  store: CheckpointStore,
  options: { now?: () => Date } = {},
): Promise<CheckpointStore> {
  await store.close();
  return temp.track(await CheckpointStore.open(store.path, { create: false, ...options }));
}

/** Everything an async iterable yields, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
