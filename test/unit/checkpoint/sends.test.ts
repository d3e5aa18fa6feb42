import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/checkpoint/index.js';
import { runUntilKilled } from './kill-child.js';
import { openStarted, reopen, useTempDir } from './temp-store.js';

const temp = useTempDir();

/** Rows in the sends table, read over a connection of its own. */
function rowCount(path: string): number {
  const raw = new Database(path, { readonly: true });
  try {
    return (raw.prepare('select count(*) as count from sends').get() as { count: number }).count;
  } finally {
    raw.close();
  }
}

describe('the rate limiter\'s send journal', () => {
  it('sent returns an id, answered records the answer, and a reopened store knows the last window, unanswered sends included', async () => {
    let store = temp.track(await openStarted(temp.dir()));
    let clock = 1_000_000;
    let journal = store.sendJournal({ retainMs: 60_000, now: () => clock });
    const first = journal.sent(clock);
    const second = journal.sent(clock + 10);
    const third = journal.sent(clock + 20);
    expect(Number.isInteger(first) && first > 0).toBe(true);
    expect([second - first, third - second]).toEqual([1, 1]);
    journal.answered(first, clock + 300, 'accepted');
    journal.answered(third, clock + 400, 'refused');
    // `second` never gets its answer: the run is killed while it is in flight.

    store = await reopen(temp, store);
    clock += 30_000;
    journal = store.sendJournal({ retainMs: 60_000, now: () => clock });
    expect(journal.recent()).toEqual([
      { grantedAt: 1_000_000, doneAt: 1_000_300, answer: 'accepted' },
      { grantedAt: 1_000_010, doneAt: null, answer: null },
      { grantedAt: 1_000_020, doneAt: 1_000_400, answer: 'refused' },
    ]);
    // A new run's sends follow its predecessor's.
    expect(journal.sent(clock)).toBe(third + 1);
  });

  it('prunes sends older than retainMs: answered ones by their answer, unanswered ones by their grant', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    let clock = 0;
    const journal = store.sendJournal({ retainMs: 10_000, now: () => clock });
    journal.answered(journal.sent(1_000), 2_000, 'accepted'); // answered at 2000
    journal.sent(3_000); // never answered
    journal.answered(journal.sent(500), 9_000, 'none'); // granted early, given up late
    journal.answered(journal.sent(4_000), 5_000, 'accepted');

    clock = 12_000; // the window reaches back to 2000: nothing is older yet
    expect(journal.recent().map((record) => record.grantedAt)).toEqual([1_000, 3_000, 500, 4_000]);
    clock = 13_500; // back to 3500: the send answered at 2000 and the one granted at 3000 are gone
    expect(journal.recent().map((record) => record.grantedAt)).toEqual([500, 4_000]);
    clock = 19_000;
    expect(journal.recent()).toEqual([{ grantedAt: 500, doneAt: 9_000, answer: 'none' }]);
    clock = 19_001;
    expect(journal.recent()).toEqual([]);
  });

  it('prunes while sending, without a recent() call, so a long run keeps a window\'s worth of rows', async () => {
    const store = temp.track(await openStarted(temp.dir()));
    let clock = 0;
    const journal = store.sendJournal({ retainMs: 1_000, now: () => clock });
    for (let n = 0; n < 1_000; n += 1, clock += 100) journal.answered(journal.sent(clock), clock + 50, 'accepted');
    // 1000 sends over 100 s, a window of 1 s: a sweep every 100 sends leaves at most ~110 rows.
    expect(rowCount(store.path)).toBeLessThanOrEqual(111);
  });

  it('keeps every send recorded before a kill -9, answered or not', async () => {
    const path = join(temp.dir(), 'killed.db');
    const sent = new Set<number>();
    const answered = new Set<number>();
    await runUntilKilled('send-until-killed.ts', [path], (line) => {
      const [what, n] = line.split(' ');
      (what === 'sent' ? sent : answered).add(Number(n));
      return sent.size >= 300;
    });
    const store = temp.track(await CheckpointStore.open(path, { create: false }));
    const recent = new Map(store.sendJournal({ retainMs: 60_000, now: () => 0 }).recent().map((record) => [record.grantedAt, record]));
    for (const n of sent) expect(recent.has(n)).toBe(true);
    for (const n of answered) expect(recent.get(n)).toEqual({ grantedAt: n, doneAt: n + 5, answer: 'accepted' });
    const unanswered = [...recent.values()].filter((record) => record.answer === null);
    expect(unanswered.length).toBeGreaterThanOrEqual(sent.size / 2 - 1);
  }, 60_000);
});
