import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { CheckpointStore } from '../checkpoint/index.js';

export type IdMapFormat = 'csv' | 'jsonl';

/** Streams legacy id -> Dynamic user id from the ledger, honouring backpressure. */
export async function writeIdMap(store: CheckpointStore, out: Writable, format: IdMapFormat): Promise<number> {
  let rows = 0;
  if (format === 'csv') await write(out, 'legacy_id,dynamic_user_id,outcome\n');
  for await (const entry of store.idMap()) {
    rows += 1;
    await write(
      out,
      format === 'csv'
        ? `${csvField(entry.legacyId)},${csvField(entry.dynamicUserId ?? '')},${entry.outcome}\n`
        : `${JSON.stringify(entry)}\n`,
    );
  }
  return rows;
}

/**
 * Writes the id map to a file of mode 0600 (it links people across two systems). The mode given to
 * `open` only applies to a file it creates, so an existing file is chmod'ed on the open descriptor
 * before anything is written (not a device such as /dev/stdout, whose mode is not ours to change).
 */
export async function writeIdMapFile(store: CheckpointStore, path: string, format: IdMapFormat): Promise<number> {
  const file = await open(path, 'w', 0o600);
  try {
    if ((await file.stat()).isFile()) await file.chmod(0o600);
  } catch (error) {
    await file.close();
    throw error;
  }
  const out = file.createWriteStream();
  try {
    return await writeIdMap(store, out, format);
  } finally {
    out.end();
    await once(out, 'close');
  }
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** RFC 4180 quoting, for legacy ids that are arbitrary text. */
export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
