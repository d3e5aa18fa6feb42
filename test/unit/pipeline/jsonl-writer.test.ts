import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJsonlWriter } from '../../../src/pipeline/jsonl-writer.js';

const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'jsonl-')), 'run', name);

/** The file the records should make: each as JSON.stringify writes it, a line each. */
const asJsonLines = (records: readonly unknown[]) => records.map((record) => `${JSON.stringify(record)}\n`).join('');

describe('openJsonlWriter', () => {
  it('puts each line on disk as it is written by default, in a file only its owner can read', async () => {
    const path = tempFile('rejects.jsonl');
    const writer = openJsonlWriter(path);
    writer.write({ legacyId: '1', rule: 'email' });
    expect(readFileSync(path, 'utf8')).toBe('{"legacyId":"1","rule":"email"}\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await writer.close();
  });

  it('gathers lines into chunks when asked, and writes every line by close', async () => {
    const path = tempFile('payloads.jsonl');
    const writer = openJsonlWriter(path, { chunkBytes: 1000 });
    for (let i = 0; i < 250; i += 1) writer.write({ i });
    // Full chunks go out on libuv's pool: give the first one a moment to land rather than racing it.
    const linesOnDisk = () => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
    for (let waited = 0; linesOnDisk() === 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const beforeClose = linesOnDisk();
    expect(beforeClose).toBeGreaterThan(0);
    expect(beforeClose).toBeLessThan(250);
    await writer.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(250);
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([...Array(250).keys()]);
    expect(writer.lines).toBe(250);
  });

  it('keeps multi-byte text whole and in order, including a line larger than a chunk', async () => {
    const path = tempFile('payloads.jsonl');
    const writer = openJsonlWriter(path, { chunkBytes: 100 });
    const records = [{ name: 'Zoë 🦊' }, { note: 'ü'.repeat(40) }, { big: '€'.repeat(500) }, { after: 'the big one' }, { lone: '\ud800' }];
    for (const record of records) writer.write(record);
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(asJsonLines(records));
  });

  it('writes what is not plain JSON as JSON.stringify does, in its place among the others', async () => {
    const path = tempFile('payloads.jsonl');
    const writer = openJsonlWriter(path, { chunkBytes: 1000 });
    class Point {
      constructor(readonly x: number) {}
    }
    const records = [{ a: 1 }, { at: new Date(0) }, { list: [1, undefined, 2] }, { b: 2 }, { p: new Point(3), f: () => 1, u: undefined }, { big: 'x'.repeat(2_000) }, { c: 3 }];
    for (const record of records) writer.write(record);
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(asJsonLines(records));
  });

  it('keeps lines in order while full chunks are written in the background, however many are out at once', async () => {
    const path = tempFile('payloads.jsonl');
    const writer = openJsonlWriter(path, { chunkBytes: 200 });
    const records = Array.from({ length: 3_000 }, (_, i) => ({ i, name: i % 7 === 0 ? 'Zoë 🦊' : 'x'.repeat(i % 50) }));
    // Without a pause, background writes pile up and the writer writes chunks itself; with pauses,
    // they finish and their buffers are reused.
    for (const [index, record] of records.entries()) {
      writer.write(record);
      if (index >= 1_500 && index % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(asJsonLines(records));
  });

  it('reports a failed background write at the next write and at close', async () => {
    // /dev/full refuses every write with ENOSPC. 150-byte chunks: the 20 lines fill two, written in the background.
    const writer = openJsonlWriter('/dev/full', { chunkBytes: 150 });
    for (let i = 0; i < 20; i += 1) writer.write({ i });
    await expect(writer.close()).rejects.toThrow(/ENOSPC/);

    const next = openJsonlWriter('/dev/full', { chunkBytes: 150 });
    for (let i = 0; i < 5; i += 1) next.write({ i });
    let reported: unknown;
    for (let wait = 0; wait < 200 && reported === undefined; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      try {
        next.write({ probe: wait });
      } catch (error) {
        reported = error;
      }
    }
    expect(String(reported)).toMatch(/ENOSPC/);
    await expect(next.close()).rejects.toThrow(/ENOSPC/);
  });
});
