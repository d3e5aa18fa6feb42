import { describe, expect, it } from 'vitest';
import { MinuteMeter } from '../../../src/scale/worker-registry.js';

describe('MinuteMeter', () => {
  it('counts what happened in the last 60 s only', () => {
    let now = 0;
    const meter = new MinuteMeter(() => now);
    meter.add();
    now = 30_000;
    meter.add(50);
    expect(meter.lastMinute()).toBe(51);
    now = 60_001; // the first event is a minute and a millisecond old
    expect(meter.lastMinute()).toBe(50);
    now = 90_001;
    expect(meter.lastMinute()).toBe(0);
  });
});
