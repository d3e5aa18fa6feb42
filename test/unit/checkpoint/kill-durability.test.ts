import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/checkpoint/index.js';
import { useTempDir } from './temp-store.js';

const temp = useTempDir();
const fixture = fileURLToPath(new URL('./fixtures/settle-until-killed.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the fixture until it has reported `settles` commits, then SIGKILLs it; returns the seqs it reported. */
function settleThenKill(path: string, settles: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const reported = new Set<number>();
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) reported.add(Number(line.replace('settled ', '')));
      if (reported.size >= settles && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(reported);
      else reject(new Error(`fixture exited with ${code}: ${stderr}`));
    });
  });
}

describe('durability across kill -9', () => {
  it('every batch settled before the kill is intact and the database is not damaged', async () => {
    const path = join(temp.dir(), 'killed.db');
    const reported = await settleThenKill(path, 40);
    expect(reported.size).toBeGreaterThanOrEqual(40);

    const raw = new Database(path);
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }

    const store = temp.track(await CheckpointStore.open(path, { create: false }));
    const settledSeqs: number[] = [];
    for (const seq of reported) {
      expect((await store.batch(seq))?.state).toBe('settled');
      const keys = Array.from({ length: 50 }, (_, index) => String((seq - 1) * 50 + index + 1));
      const entries = await store.ledgerEntries(keys);
      expect(entries.size).toBe(50);
      for (const [legacyId, entry] of entries) expect(entry).toMatchObject({ outcome: 'created', dynamicUserId: `dyn-${legacyId}` });
      settledSeqs.push(seq);
    }

    // The cursor sits at the end of the contiguous settled prefix: every batch up to it is settled,
    // the batch right after it is not, and every reported prefix is covered.
    const status = await store.status();
    const cursorSeq = Number(status.cursor) / 50;
    expect(Number.isInteger(cursorSeq)).toBe(true);
    for (let seq = 1; seq <= cursorSeq; seq += 1) expect((await store.batch(seq))?.state).toBe('settled');
    const after = await store.batch(cursorSeq + 1);
    if (after) expect(after.state).not.toBe('settled');
    let reportedPrefix = 0;
    while (reported.has(reportedPrefix + 1)) reportedPrefix += 1;
    expect(cursorSeq).toBeGreaterThanOrEqual(reportedPrefix);

    // Settled batches are exactly what the ledger holds; in-doubt ones are listed for the replay.
    expect(status.total).toBe(status.batches.settled * 50);
    const unsettled = await store.unsettledBatches();
    expect(unsettled.every((batch) => batch.seq > cursorSeq)).toBe(true);
    expect(status.batches.settled).toBeGreaterThanOrEqual(settledSeqs.length);
  }, 60_000);
});
