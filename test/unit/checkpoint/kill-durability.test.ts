import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/checkpoint/index.js';
import { runUntilKilled } from './kill-child.js';
import { useTempDir } from './temp-store.js';

const temp = useTempDir();

/** Runs the settling fixture until it has reported `settles` commits, then SIGKILLs it; returns the seqs it reported. */
async function settleThenKill(path: string, settles: number): Promise<Set<number>> {
  const reported = new Set<number>();
  await runUntilKilled('settle-until-killed.ts', [path], (line) => {
    reported.add(Number(line.replace('settled ', '')));
    return reported.size >= settles;
  });
  return reported;
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

describe('users in doubt across kill -9', () => {
  /** The keys fresh batch `seq` of discard-settle-until-killed.ts sent (its 20th key is rejected locally). */
  const sentKeysOf = (seq: number) => Array.from({ length: 19 }, (_, index) => String(seq * 20 + index + 1));

  it('a kill in the middle of a discard or a settle loses no key from doubt', async () => {
    const path = join(temp.dir(), 'killed.db');
    const journaled = new Set<number>();
    const killedIn = new Set<string>();
    // Each run resumes the last and dies halfway through one transaction: [step, row write within it].
    const kills = [
      [3, 20], // discarding the two unsettled batches: half of their keys moved to in_doubt
      [1, 20], // the resumed run discarding what that kill left
      [4, 90], // settling a replay of users in doubt: its ledger entries written, half of its keys out of doubt
      [2, 10], // settling a fresh batch
    ];
    for (const [step, offset] of kills) {
      const lines = await runUntilKilled('discard-settle-until-killed.ts', [path, String(step), String(offset)]);
      for (const line of lines) if (line.startsWith('fresh ')) journaled.add(Number(line.slice('fresh '.length)));
      killedIn.add(lines.at(-1) ?? '');

      const raw = new Database(path);
      try {
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        raw.close();
      }
      const store = await CheckpointStore.open(path, { create: false });
      try {
        const inDoubt = await store.inDoubtKeys();
        const sent = [...journaled].flatMap(sentKeysOf);
        const ledger = await store.ledgerEntries(sent);
        // Every key ever sent is decided (in the ledger) or still in doubt (unsettled batch or in_doubt).
        expect(sent.filter((key) => !ledger.has(key) && !inDoubt.has(key))).toEqual([]);
        for (const entry of ledger.values()) expect(entry.outcome).toBe('created');
      } finally {
        await store.close();
      }
    }
    expect(journaled.size).toBeGreaterThanOrEqual(6);
    // The kills fell inside both kinds of transaction.
    expect([...killedIn].sort()).toEqual(['discarding', 'settling']);
  }, 120_000);
});
