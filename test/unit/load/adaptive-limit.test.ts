import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, describeLimitChange, MAX_PROBE_AFTER_WINDOWS } from '../../../src/load/index.js';

const MINUTE = 60_000;

/** Levels of a refusal: we sent `sent` within one window, the server accepted `accepted` (default: as many). */
const levels = (sent: number, accepted = sent) => ({ sent, accepted });

/** The policy after the server accepted `peak` of our requests within one window. */
function seen(configured: number, peak: number): AdaptiveLimit {
  const adaptive = new AdaptiveLimit(configured, MINUTE);
  adaptive.accepted(peak, 0);
  return adaptive;
}

describe('AdaptiveLimit (the rate policy)', () => {
  it('adopts a limit the server announces, per its window, and then never cuts on a 429', () => {
    const adaptive = seen(600, 10);
    const before = adaptive.grantedUnder();
    expect(adaptive.serverSays(300, MINUTE, 1_000)).toMatchObject({ reason: 'server_limit', limit: 300, windowMs: MINUTE, configured: 600 });
    expect(adaptive.serverSays(300, MINUTE, 2_000)).toBeUndefined(); // the same news twice is no news
    expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(10), 3_000)).toBeUndefined();
    expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(10), 3_000 + MINUTE)).toBeUndefined();
    expect(adaptive.rateLimited(before, levels(10), 3_000)).toBeUndefined();
    expect(adaptive.probe(10 * MINUTE)).toBeUndefined();
    expect([adaptive.limit, adaptive.windowMs]).toEqual([300, MINUTE]);
    expect(adaptive.serverSays(3, 4_000, 4_000)).toMatchObject({ limit: 3, windowMs: 4_000 });
  });

  it('says nothing when the server announces exactly what the client already sends at', () => {
    const adaptive = new AdaptiveLimit(150, MINUTE);
    expect(adaptive.serverSays(150, MINUTE, 0)).toBeUndefined();
    expect(adaptive.limit).toBe(150);
  });

  it('a single 429, or a few at random, never lowers the rate', () => {
    const adaptive = seen(150, 150);
    // While the window is nearly full (the noise of a proxy, at full speed): never evidence.
    for (let w = 0; w < 20; w++) expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(142 + (w % 5)), w * MINUTE + 7_000)).toBeUndefined();
    // One refusal well below our rate, once: remembered, not acted on.
    expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(40), 21 * MINUTE)).toBeUndefined();
    expect(adaptive.limit).toBe(150);
    expect(adaptive.cuts).toBe(0);
  });

  it('lowers the rate on 429s in two windows running at about the same level, to what the server was seen to accept', () => {
    const adaptive = seen(600, 300);
    const inFlight = [adaptive.grantedUnder(), adaptive.grantedUnder(), adaptive.grantedUnder()];
    expect(adaptive.rateLimited(inFlight[0]!, levels(300), 5_000)).toBeUndefined(); // first window: evidence
    // The other requests of that burst are the same episode, not a second window.
    expect(adaptive.rateLimited(inFlight[1]!, levels(301), 5_010)).toBeUndefined();
    expect(adaptive.rateLimited(inFlight[2]!, levels(302), 6_000)).toBeUndefined();
    // The next window refuses at the same level: consistent evidence.
    const cut = adaptive.rateLimited(adaptive.grantedUnder(), levels(303), 65_000);
    expect(cut).toMatchObject({ reason: 'rate_limited', limit: 300, acceptedInWindow: 300 });
    expect(adaptive.limit).toBe(300);
    // Requests sent before the cut say nothing new.
    expect(adaptive.rateLimited(inFlight[0]!, levels(280), 125_000)).toBeUndefined();
  });

  it('does not lower the rate on refusals at different levels, or too far apart, or with nothing accepted yet', () => {
    const scattered = seen(600, 100);
    expect(scattered.rateLimited(scattered.grantedUnder(), levels(100), 0)).toBeUndefined();
    scattered.accepted(300, MINUTE - 1);
    expect(scattered.rateLimited(scattered.grantedUnder(), levels(300), MINUTE)).toBeUndefined(); // 100 then 300: not the same story
    scattered.accepted(320, 2 * MINUTE - 1);
    expect(scattered.rateLimited(scattered.grantedUnder(), levels(330), 2 * MINUTE)).toMatchObject({ limit: 320 }); // 300 then 330: consistent
    const apart = seen(600, 300);
    expect(apart.rateLimited(apart.grantedUnder(), levels(300), 0)).toBeUndefined();
    expect(apart.rateLimited(apart.grantedUnder(), levels(300), 3 * MINUTE)).toBeUndefined(); // three windows later: a new first
    expect(apart.limit).toBe(600);
    // A restarted run meeting its predecessor's window: refused before anything was accepted.
    const restarted = new AdaptiveLimit(150, MINUTE);
    expect(restarted.rateLimited(restarted.grantedUnder(), levels(0), 0)).toBeUndefined();
    expect(restarted.rateLimited(restarted.grantedUnder(), levels(2), MINUTE)).toBeUndefined();
    expect(restarted.limit).toBe(150);
  });

  it('takes a refusal below what the server accepted in one window lately for noise or others\' traffic, never evidence', () => {
    const adaptive = seen(150, 120);
    // The server took 120 of ours in one window; refusals with at most 100 of ours in its window,
    // window after window, at the same level: something else refuses, not a limit of 100.
    for (let w = 1; w < 6; w++) {
      adaptive.accepted(120, w * MINUTE - 1);
      expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(100), w * MINUTE)).toBeUndefined();
    }
    expect(adaptive.limit).toBe(150);
    // At the level it accepted, they are evidence: twice running, and the rate is lowered to it.
    expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(121, 120), 6 * MINUTE)).toBeUndefined();
    expect(adaptive.rateLimited(adaptive.grantedUnder(), levels(122, 120), 7 * MINUTE)).toMatchObject({ reason: 'rate_limited', limit: 120 });
  });

  it('never lowers below the most the server accepted in a window, so noise cannot ratchet the rate down', () => {
    const adaptive = seen(600, 300);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), 0);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), MINUTE);
    expect(adaptive.limit).toBe(300);
    // Heavy noise at the lowered rate: 429s at 80% of it, window after window, the server still
    // taking the lowered rate whole.
    for (let w = 2; w < 12; w++) {
      adaptive.accepted(300, w * MINUTE - 1);
      adaptive.rateLimited(adaptive.grantedUnder(), levels(240), w * MINUTE);
    }
    expect(adaptive.limit).toBe(300);
  });

  it('starts following a limit that dropped in the middle of a run in the second window after the drop', () => {
    const adaptive = seen(150, 120);
    for (let w = 1; w < 3; w++) adaptive.accepted(120, w * MINUTE - 1); // the server took 120 a window
    // From window 3 it takes 60, and refuses the rest.
    for (let w = 3; w < 5; w++) {
      adaptive.accepted(60, w * MINUTE + 30_000);
      adaptive.rateLimited(adaptive.grantedUnder(), levels(61, 60), w * MINUTE + 40_000);
    }
    expect(adaptive.limit).toBe(120); // the peak of the last three windows, then forgotten too
    expect(adaptive.cuts).toBe(1);
  });

  it('follows a limit that dropped for good: the peak forgets windows older than a few', () => {
    const adaptive = seen(150, 150);
    // Later the server allows only 75: it accepts 75 a window and refuses the rest, window after window.
    for (let w = 5; w < 9; w++) {
      adaptive.accepted(75, w * MINUTE + 1_000);
      adaptive.rateLimited(adaptive.grantedUnder(), levels(80, 75), w * MINUTE + 2_000);
    }
    expect(adaptive.limit).toBe(75);
  });

  it('probes back toward the configured limit, judging each probe over a whole window, faster while probes hold', () => {
    const adaptive = seen(600, 300);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), 0);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), MINUTE); // lowered to 300 at 1 min
    expect(adaptive.probe(3 * MINUTE)).toBeUndefined(); // not yet: three windows at the lowered rate first
    expect(adaptive.probe(4 * MINUTE)).toMatchObject({ reason: 'probe', limit: 330 }); // 5% of 600
    const probing = adaptive.grantedUnder();
    // A proxy's 429 early in the probe window, the server still at the known level: never judged on one 429.
    adaptive.accepted(300, 4 * MINUTE + 5_000);
    expect(adaptive.rateLimited(probing, levels(330, 300), 4 * MINUTE + 6_000)).toBeUndefined();
    expect(adaptive.limit).toBe(330);
    // Over the window the server took more than the known level: the probe held, the next goes twice as far.
    adaptive.accepted(328, 4 * MINUTE + 50_000);
    expect(adaptive.probe(5 * MINUTE)).toMatchObject({ reason: 'probe', limit: 390 });
    adaptive.accepted(390, 5 * MINUTE + 50_000);
    expect(adaptive.probe(6 * MINUTE)).toMatchObject({ limit: 510 });
    adaptive.accepted(510, 6 * MINUTE + 50_000);
    expect(adaptive.probe(7 * MINUTE)).toMatchObject({ limit: 600 });
    expect(adaptive.probe(20 * MINUTE)).toBeUndefined();
  });

  it('a probe the server refused a whole window, accepting no more than the known level, goes back and waits twice as long', () => {
    const adaptive = seen(600, 300);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), 0);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), MINUTE);
    let now = MINUTE;
    let wait = 3;
    for (let i = 0; i < 6; i++) {
      expect(adaptive.probe(now + wait * MINUTE - 1)).toBeUndefined();
      now += wait * MINUTE;
      expect(adaptive.probe(now)).toMatchObject({ limit: 330 });
      const probing = adaptive.grantedUnder();
      adaptive.accepted(300, now + 10_000);
      expect(adaptive.rateLimited(probing, levels(334, 300), now + 20_000)).toBeUndefined(); // within the window: noted
      expect(adaptive.rateLimited(probing, levels(334, 301), now + MINUTE)).toMatchObject({ reason: 'probe_failed', limit: 300 });
      now += MINUTE;
      wait = Math.min(MAX_PROBE_AFTER_WINDOWS, wait * 2);
    }
    expect(wait).toBe(MAX_PROBE_AFTER_WINDOWS);
  });

  it('probes all the way back to the configured limit when the server allows it, and forgets the lowered level there', () => {
    const adaptive = seen(100, 60);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(60), 0);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(60), MINUTE);
    expect(adaptive.limit).toBe(60);
    let now = 4 * MINUTE;
    while (adaptive.limit < 100) {
      expect(adaptive.probe(now)?.reason).toBe('probe');
      adaptive.accepted(adaptive.limit, now + 30_000); // the server takes every probe
      now += MINUTE;
    }
    expect(adaptive.limit).toBe(100);
    expect(adaptive.probe(now + 10 * MINUTE)).toBeUndefined();
  });

  it('describes a change in one line, per minute when the window is a minute', () => {
    const adaptive = seen(600, 300);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), 0);
    expect(describeLimitChange(adaptive.rateLimited(adaptive.grantedUnder(), levels(300), MINUTE)!))
      .toBe('rate limited in two windows running: server limit appears to be about 300/min; sending at 300/min (configured 600/min)');
    const announced = new AdaptiveLimit(150, MINUTE);
    expect(describeLimitChange(announced.serverSays(3, 4_000, 0)!))
      .toBe('the server announces a limit of 3 per 4 s; sending at 3 per 4 s (configured 150/min)');
  });
});

describe('AdaptiveLimit: a probe the run could not test', () => {
  it('is tried another window at the same level when we sent no more and met no 429 (a slow source), not escalated', () => {
    const adaptive = seen(600, 300);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), 0);
    adaptive.rateLimited(adaptive.grantedUnder(), levels(300), MINUTE);
    expect(adaptive.probe(4 * MINUTE)).toMatchObject({ limit: 330 });
    adaptive.accepted(250, 4 * MINUTE + 30_000); // the source slowed down: no more than before
    expect(adaptive.probe(5 * MINUTE)).toBeUndefined();
    expect(adaptive.limit).toBe(330);
    adaptive.accepted(329, 5 * MINUTE + 30_000); // then it took the probed level
    expect(adaptive.probe(6 * MINUTE)).toMatchObject({ reason: 'probe', limit: 390 });
  });
});
