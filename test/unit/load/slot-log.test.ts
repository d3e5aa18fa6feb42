import { describe, expect, it } from 'vitest';
import { SlotLog } from '../../../src/load/slot-log.js';

describe('SlotLog measures', () => {
  it('peakAccepted counts only requests whose grant and answer both fall within one window', () => {
    const log = new SlotLog(50);
    log.restore([
      { grantedAt: 0, doneAt: 900, answer: 'accepted' }, // may have arrived as late as 900
      { grantedAt: 100, doneAt: 200, answer: 'accepted' },
      { grantedAt: 950, doneAt: 1_010, answer: 'accepted' },
      { grantedAt: 960, doneAt: 990, answer: 'refused' },
      { grantedAt: 970, doneAt: null, answer: null }, // the run died first: not known accepted
    ], 2_000);
    // Granted within 1 s: three accepted; but the first's answer and the third's lie 1,010 ms
    // apart from its grant, so only two are certainly inside one server window.
    expect(log.peakAccepted(1_000)).toBe(2);
    expect(log.peakAccepted(1_100)).toBe(3);
  });

  it('inServerWindow counts what is in flight and what was answered less than a window before the grant, with no margin', () => {
    const log = new SlotLog(50);
    log.grant(1, 0);
    log.finish(1, 10, 'accepted');
    log.grant(2, 500);
    log.finish(2, 520, 'accepted');
    log.grant(3, 1_015);
    log.grant(4, 1_020);
    log.finish(4, 1_030, 'refused');
    // Request 4, granted at 1,020 with a 1 s window: request 1 (answered at 10) cannot have been
    // in the server's window any more, though its slot is still held (waitFor's margin).
    expect(log.inServerWindow(1_020, 1_000)).toBe(3);
    expect(log.waitFor(4, 1_000, 1_030)).toBe(30); // its slot frees at 10 + 1,000 + 50
  });

  it('keeps what a slow request in flight may still ask about, however often the log is pruned', () => {
    const log = new SlotLog(50);
    log.grant(0, 0); // slow: answered 11 s later
    for (let i = 1; i <= 10; i++) {
      log.grant(i, i * 100);
      log.finish(i, i * 100 + 20, 'accepted');
    }
    log.waitFor(20, 1_000, 11_000); // prunes
    log.finish(0, 11_000, 'refused');
    // Granted at 0, it may have met the ten answered in its first second in the server's window.
    expect(log.inServerWindow(0, 1_000)).toBe(11);
  });
});
