/**
 * A manual clock for the rate limiter: `sleep` registers a timer, `advance` moves time forward
 * firing due timers in order and letting promise callbacks run after each.
 */
export class FakeClock {
  time = 0;
  private timers: { due: number; resolve: () => void }[] = [];

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = { due: this.time + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal.reason);
      }, { once: true });
    });

  /** Pending timers (for asserting that nothing keeps waiting). */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flush();
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due);
      const next = this.timers[0];
      if (!next || next.due > target) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.due);
      next.resolve();
      await flush();
    }
    this.time = target;
    await flush();
  }
}

/** Lets every queued promise callback run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
