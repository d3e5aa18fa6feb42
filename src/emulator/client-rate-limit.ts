/** Outcome of asking for a slot: either granted, or refused with the wait until one frees. */
export type SlotDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface ClientRateLimitOptions {
  /** Requests allowed per client within one window; 0 means unlimited. */
  perWindow: number;
  /** @default 60_000 (Dynamic's limits are per minute) */
  windowMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * A sliding-window limiter keyed by client (the IP address), like Dynamic's "150 requests per
 * minute per IP"; keyed by environment id, it is the limit of an environment across all IPs.
 * Only granted requests take a slot: a client hammering through 429s does not push its own window
 * further out.
 */
export class ClientRateLimit {
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly granted = new Map<string, number[]>();

  constructor(options: ClientRateLimitOptions) {
    this.perWindow = options.perWindow;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes a slot for `client` if one is free at this instant. */
  tryAcquire(client: string): SlotDecision {
    return this.decide(client, true);
  }

  /**
   * Whether `client` would get a slot at this instant, taking none: so a request can be asked of a
   * second limit first, and refused by it without using a slot of this one.
   */
  check(client: string): SlotDecision {
    return this.decide(client, false);
  }

  /** Grants of `client` still inside the window; 0 when unlimited (nothing is counted then). */
  inWindow(client: string): number {
    return this.perWindow <= 0 ? 0 : this.live(client, this.now()).length;
  }

  /**
   * The `RateLimit-*` / `X-RateLimit-*` headers for `client` as things stand (after its request was
   * counted): an emulator courtesy, since Dynamic documents only 429 + `Retry-After`. Reset is in
   * seconds until the oldest counted request leaves the window (`X-RateLimit-Reset`: the same instant
   * as epoch seconds). None when unlimited.
   */
  headers(client: string): Record<string, string> {
    if (this.perWindow <= 0) return {};
    const now = this.now();
    const times = this.live(client, now);
    const remaining = Math.max(0, this.perWindow - times.length);
    const oldest = times[0];
    const resetMs = oldest === undefined ? 0 : Math.max(0, oldest + this.windowMs - now);
    const limit = String(this.perWindow);
    return {
      'ratelimit-limit': limit,
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
      'ratelimit-policy': `${limit};w=${this.windowMs / 1000}`,
      'x-ratelimit-limit': limit,
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.ceil((now + resetMs) / 1000)),
    };
  }

  private decide(client: string, take: boolean): SlotDecision {
    if (this.perWindow <= 0) return { allowed: true };
    const now = this.now();
    const times = this.live(client, now);
    if (times.length < this.perWindow) {
      if (take) {
        times.push(now);
        this.granted.set(client, times);
      }
      return { allowed: true };
    }
    // The oldest grant in the window is the next to expire; its slot frees at oldest + window.
    const oldest = times[0] ?? now;
    const waitMs = oldest + this.windowMs - now;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Grants still inside the window ending at `now`, oldest first; forgets idle clients. */
  private live(client: string, now: number): number[] {
    const times = this.granted.get(client) ?? [];
    let expired = 0;
    while (expired < times.length && (times[expired] ?? 0) <= now - this.windowMs) expired++;
    const kept = expired === 0 ? times : times.slice(expired);
    if (kept.length === 0) this.granted.delete(client);
    return kept;
  }
}
