import { setTimeout as sleepTimer } from 'node:timers/promises';

/** Sleeps `ms`; rejects when `signal` aborts. Injected so tests can drive a fake clock. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Real sleep; rejects with the signal's own reason (not a generic AbortError) so callers see why. */
export const defaultSleep: Sleep = async (ms, signal) => {
  try {
    await sleepTimer(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
};
