import { defaultSleep, type Sleep } from '../load/sleep.js';

/** A clock running `factor` times faster than the wall clock, and a sleep that agrees with it. */
export interface ScaledClock {
  factor: number;
  now(): number;
  sleep: Sleep;
}

/**
 * Lets a rate-limit scenario of one-minute windows run in `60 / factor` real seconds: the client's
 * RateLimiter, its backoff sleeps and the emulator's window all read this clock, so `Retry-After`
 * and every wait stay consistent between them. Two processes share one clock by sharing `origin`
 * (the bench's restart scenario passes it to the CLI). Only network latency is not sped up (it grows by
 * `factor` in scaled time, which makes the client look slightly slower, never faster).
 */
export function scaledClock(factor: number, origin: number = Date.now()): ScaledClock {
  return {
    factor,
    now: () => origin + (Date.now() - origin) * factor,
    sleep: (ms, signal) => defaultSleep(ms / factor, signal),
  };
}
