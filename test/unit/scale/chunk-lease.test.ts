import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { holdChunkLease, type ChunkLeaseOptions } from '../../../src/scale/chunk-lease.js';

/** Long enough that a loaded CI machine stalling the event loop for a second does not look like a lapse. */
const LEASE_MS = 1_000;

function lease(renew: ChunkLeaseOptions['renew']) {
  const errors: unknown[] = [];
  const held = holdChunkLease({
    leaseMs: LEASE_MS,
    claimedAt: performance.now(), // the global, which the fake clock below replaces
    renew,
    lostReason: () => new Error('lost'),
    expiredReason: () => new Error('expired'),
    onError: (error) => errors.push(error),
  });
  return { held, errors };
}

const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve())));

describe('holdChunkLease', { timeout: 20_000 }, () => {
  it('keeps the chunk while renewals get through, well past the lease', async () => {
    let renewals = 0;
    const { held } = lease(async () => (renewals++, true));
    await sleep(LEASE_MS * 4);
    expect(held.signal.aborted).toBe(false);
    expect(renewals).toBeGreaterThanOrEqual(3);
    expect(await held.confirm()).toBe(true);
    held.end();
  });

  it('aborts as lost as soon as a renewal finds the claim gone (another worker took the chunk)', async () => {
    const { held } = lease(async () => false);
    await aborted(held.signal);
    expect((held.signal.reason as Error).message).toBe('lost');
    expect(await held.confirm()).toBe(false);
    held.end();
  });

  it('aborts as expired when no renewal gets through within the lease (the database is unreachable)', async () => {
    const { held, errors } = lease(async () => {
      throw new Error('connection refused');
    });
    await aborted(held.signal);
    expect((held.signal.reason as Error).message).toBe('expired');
    expect(errors.length).toBeGreaterThan(0);
    held.end();
  });

  it('confirm() retries through failures and answers once the database is back', async () => {
    let calls = 0;
    const { held } = lease(async () => {
      calls++;
      if (calls <= 2) throw new Error('restarting');
      return true;
    });
    expect(await held.confirm()).toBe(true);
    held.end();
  });

  it('aborts at once on waking past the deadline, without waiting for a renewal to answer', async () => {
    // A renewal that never answers stands for a frozen process's first heartbeat after waking.
    const { held } = lease(() => new Promise<boolean>(() => {}));
    await aborted(held.signal);
    expect((held.signal.reason as Error).message).toBe('expired');
    held.end();
  });

  it('aborts a quarter lease before the engine could expire the claim, so what is in flight settles first', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
    try {
      const { held } = lease(() => new Promise<boolean>(() => {}));
      vi.advanceTimersByTime(LEASE_MS * 0.75 - 1);
      expect(held.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect((held.signal.reason as Error).message).toBe('expired');
      held.end();
    } finally {
      vi.useRealTimers();
    }
  });

  it('confirm() answers false once the lease is over, even while a renewal hangs (a host that vanished)', async () => {
    const { held } = lease(() => new Promise<boolean>(() => {}));
    expect(await held.confirm()).toBe(false);
    expect((held.signal.reason as Error).message).toBe('expired');
    held.end();
  });

  it('stops renewing after end()', async () => {
    let renewals = 0;
    const { held } = lease(async () => (renewals++, true));
    held.end();
    await sleep(LEASE_MS * 2);
    expect(renewals).toBe(0);
    expect(held.signal.aborted).toBe(false);
  });
});
