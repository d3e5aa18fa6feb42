import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, describeLimitChange } from '../../../src/load/index.js';

const MINUTE = 60_000;

describe('AdaptiveLimit', () => {
  it('adopts a limit the server announces, per its window, and then never cuts on a 429', () => {
    const adaptive = new AdaptiveLimit(600, MINUTE);
    const before = adaptive.grantedUnder();
    expect(adaptive.serverSays(300, MINUTE, 1_000)).toMatchObject({ reason: 'server_limit', limit: 300, windowMs: MINUTE, configured: 600 });
    expect(adaptive.serverSays(300, MINUTE, 2_000)).toBeUndefined(); // the same news twice is no news
    expect(adaptive.rateLimited(adaptive.grantedUnder(), 10, 3_000)).toBeUndefined();
    expect(adaptive.rateLimited(before, 10, 3_000)).toBeUndefined();
    expect(adaptive.probe(10 * MINUTE)).toBeUndefined();
    expect([adaptive.limit, adaptive.windowMs]).toEqual([300, MINUTE]);
    expect(adaptive.serverSays(3, 4_000, 4_000)).toMatchObject({ limit: 3, windowMs: 4_000 });
  });

  it('says nothing when the server announces exactly what the client already sends at', () => {
    const adaptive = new AdaptiveLimit(150, MINUTE);
    expect(adaptive.serverSays(150, MINUTE, 0)).toBeUndefined();
    expect(adaptive.limit).toBe(150);
  });

  it('cuts to 90% of what the server accepted in the window before an unannounced 429, once per episode', () => {
    const adaptive = new AdaptiveLimit(600, MINUTE);
    const inFlight = [adaptive.grantedUnder(), adaptive.grantedUnder(), adaptive.grantedUnder()];
    expect(adaptive.rateLimited(inFlight[0]!, 300, 5_000)).toMatchObject({ reason: 'rate_limited', limit: 270, acceptedInWindow: 300 });
    // The other requests in flight were sent at the old rate: their 429s are the same news.
    expect(adaptive.rateLimited(inFlight[1]!, 301, 5_010)).toBeUndefined();
    expect(adaptive.rateLimited(inFlight[2]!, 301, 5_020)).toBeUndefined();
    expect(adaptive.limit).toBe(270);
    // A 429 at the new rate is new news: another cut, below the level that failed.
    expect(adaptive.rateLimited(adaptive.grantedUnder(), 280, 70_000)).toMatchObject({ limit: 252 });
  });

  it('never cuts below one request per window, nor reports a cut that changes nothing', () => {
    const adaptive = new AdaptiveLimit(5, MINUTE);
    expect(adaptive.rateLimited(adaptive.grantedUnder(), 1, 0)).toMatchObject({ limit: 1 });
    expect(adaptive.rateLimited(adaptive.grantedUnder(), 1, 1)).toBeUndefined();
    expect(adaptive.limit).toBe(1);
  });

  it('probes up one request per quiet window, up to what the server was seen to accept', () => {
    const adaptive = new AdaptiveLimit(12, MINUTE);
    adaptive.rateLimited(adaptive.grantedUnder(), 10, 0); // 10 accepted in the window: cut to 9
    expect(adaptive.limit).toBe(9);
    expect(adaptive.probe(MINUTE - 1)).toBeUndefined(); // not a whole window yet
    expect(adaptive.probe(MINUTE)).toMatchObject({ reason: 'probe', limit: 10 });
    expect(adaptive.probe(5 * MINUTE)).toBeUndefined(); // never above the 10 it saw accepted
    // A server that counts differently refuses at 10 anyway: the ceiling drops below it for good.
    expect(adaptive.rateLimited(adaptive.grantedUnder(), 10, 6 * MINUTE)).toMatchObject({ limit: 9 });
    expect(adaptive.probe(20 * MINUTE)).toBeUndefined();
    expect(adaptive.limit).toBe(9);
  });

  it('probes up to one below the level that failed when the 429 came before anything was accepted', () => {
    const adaptive = new AdaptiveLimit(4, MINUTE);
    expect(adaptive.rateLimited(adaptive.grantedUnder(), 0, 0)).toMatchObject({ limit: 1 });
    expect(adaptive.probe(MINUTE)).toMatchObject({ limit: 2 });
    expect(adaptive.probe(2 * MINUTE)).toMatchObject({ limit: 3 });
    expect(adaptive.probe(3 * MINUTE)).toBeUndefined();
  });

  it('describes a change in one line, per minute when the window is a minute', () => {
    const adaptive = new AdaptiveLimit(600, MINUTE);
    expect(describeLimitChange(adaptive.rateLimited(adaptive.grantedUnder(), 300, 0)!))
      .toBe('rate limited: server limit appears to be about 300/min; sending at 270/min (configured 600/min)');
    const announced = new AdaptiveLimit(150, MINUTE);
    expect(describeLimitChange(announced.serverSays(3, 4_000, 0)!))
      .toBe('the server announces a limit of 3 per 4 s; sending at 3 per 4 s (configured 150/min)');
  });
});
