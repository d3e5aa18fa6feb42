import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
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

/** Writes the id map to a file created with mode 0600 (it links people across two systems). */
export async function writeIdMapFile(store: CheckpointStore, path: string, format: IdMapFormat): Promise<number> {
  const out = createWriteStream(path, { mode: 0o600 });
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
