import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunMeter, formatEta } from '../../../src/cli/run-meter.js';
import { emptyCounts } from '../../../src/pipeline/run-summary.js';
import { confirmByName } from '../../../src/rollback/index.js';

describe('RunMeter', () => {
  it('rows/s, requests in the rolling minute (estimated until request() is heard) and ETA', () => {
    let now = 0;
    const meter = new RunMeter(() => now);
    meter.start(1000);
    now = 10_000;
    meter.progress({ ...emptyCounts(), extracted: 100, created: 50 });
    meter.progress({ ...emptyCounts(), extracted: 100, created: 50 }); // nothing new settled: no request
    meter.retry();
    const rates = meter.rates({ ...emptyCounts(), extracted: 100 });
    expect(rates).toEqual({ rowsPerSecond: 10, requestsPerMinute: 2, etaSeconds: 90 });
    now = 71_000;
    expect(meter.rates({ ...emptyCounts(), extracted: 100 }).requestsPerMinute).toBe(0);
    meter.request();
    meter.progress({ ...emptyCounts(), extracted: 200, created: 100 }); // exact mode: progress no longer counts
    expect(meter.rates({ ...emptyCounts(), extracted: 200 }).requestsPerMinute).toBe(1);
  });

  it('formats an ETA', () => {
    expect(formatEta(null)).toBe('?');
    expect(formatEta(42)).toBe('42s');
    expect(formatEta(75)).toBe('1m15s');
    expect(formatEta(3 * 3600 + 60)).toBe('3h01m');
  });
});

describe('confirmByName', () => {
  const ask = async (typed: string | null) => {
    const input = new PassThrough();
    const output = new PassThrough();
    const answer = confirmByName('prod-users', { input, output });
    if (typed === null) input.end();
    else input.write(`${typed}\n`);
    return answer;
  };
  it('confirms only the exact job name', async () => {
    expect(await ask('prod-users')).toBe(true);
    expect(await ask('yes')).toBe(false);
    expect(await ask('')).toBe(false);
    expect(await ask(null)).toBe(false);
  });
});
