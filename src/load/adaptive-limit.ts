/** Why the sending rate changed. */
export type LimitChangeReason = 'server_limit' | 'rate_limited' | 'probe';

/** One change of the rate the limiter sends at, for a notice ("server limit appears to be ..."). */
export interface LimitChange {
  reason: LimitChangeReason;
  /** Requests per `windowMs` from now on; the configured limit still applies on top. */
  limit: number;
  windowMs: number;
  /** The user's limit, per `configuredWindowMs`: never exceeded. */
  configured: number;
  configuredWindowMs: number;
  /** `rate_limited`: requests the server accepted in the window before the 429 (our estimate). */
  acceptedInWindow?: number;
}

/** What a slot remembers about the rate it was granted under, to judge its 429 later. */
export interface GrantedUnder {
  limit: number;
  /** `AdaptiveLimit.cuts` at the grant. */
  cuts: number;
}

/** Share of the estimated limit we send at when the server gave no headers: room for estimate error. */
export const ESTIMATE_MARGIN = 0.9;

type Detail = Pick<LimitChange, 'reason' | 'acceptedInWindow'>;

/**
 * The rate the client sends at on top of the user's limit, adapted to what the server shows:
 * - a server that announces its limit (rate-limit headers) gets exactly that, per its window, at
 *   once; its 429s then only pause (someone else shares the quota), they never cut;
 * - a 429 without headers cuts to 90% of what the server accepted in the window before it (the
 *   10% allow for a server that counts differently from us);
 * - after a whole quiet window spent at the cut limit, it probes up by 2% per window, but
 *   never above `ceiling`: what the server was seen to accept in one window, and below any level
 *   that failed. Against a sliding-window server like Dynamic's a probe therefore cannot cause a
 *   429; against another kind, one that does lowers the ceiling for good, so 429s cannot repeat.
 * A 429 for a request granted before the last cut says nothing new (it was sent at the old rate),
 * so the 4 requests in flight when the server first refuses do not cut 4 times.
 */
export class AdaptiveLimit {
  limit: number;
  windowMs: number;
  /** Number of changes that may lower the rate, so far. */
  cuts = 0;
  /** The limit came from the server's headers: exact, nothing to estimate or probe. */
  private announced = false;
  /** Highest level to probe up to: seen accepted, and below every level that failed. */
  private ceiling: number;
  private changedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly configured: number, readonly configuredWindowMs: number) {
    this.limit = configured;
    this.windowMs = configuredWindowMs;
    this.ceiling = configured;
  }

  grantedUnder(): GrantedUnder {
    return { limit: this.limit, cuts: this.cuts };
  }

  /** The server's headers announced `limit` requests per `windowMs`. */
  serverSays(limit: number, windowMs: number, now: number): LimitChange | undefined {
    const unchanged = limit === this.limit && windowMs === this.windowMs;
    this.announced = true;
    if (unchanged) return undefined;
    this.windowMs = windowMs;
    return this.set(limit, now, { reason: 'server_limit' }, true);
  }

  /** A 429 for a request granted `under`; `acceptedInWindow` = non-429 answers in the configured window before it. */
  rateLimited(under: GrantedUnder, acceptedInWindow: number, now: number): LimitChange | undefined {
    if (this.announced || under.cuts < this.cuts) return undefined;
    // What the server accepted is a level it allows; 0 tells nothing (someone else used the quota).
    const seenAccepted = acceptedInWindow > 0 ? acceptedInWindow : Number.POSITIVE_INFINITY;
    this.ceiling = Math.max(1, Math.min(this.ceiling, under.limit - 1, seenAccepted));
    const next = Math.max(1, Math.min(this.ceiling, this.limit, Math.floor(acceptedInWindow * ESTIMATE_MARGIN)));
    if (next >= this.limit) return undefined; // already at 1
    return this.set(next, now, { reason: 'rate_limited', acceptedInWindow }, true);
  }

  /** Called when a grant waits on this limit: a few more slots once a whole window passed without a change. */
  probe(now: number): LimitChange | undefined {
    if (this.announced || this.limit >= this.ceiling || now - this.changedAt < this.windowMs) return undefined;
    // Additive: 2% of the ceiling per window (at least 1), so 90% climbs back in about five windows.
    const step = Math.max(1, Math.floor(this.ceiling / 50));
    return this.set(Math.min(this.ceiling, this.limit + step), now, { reason: 'probe' }, false);
  }

  private set(limit: number, now: number, detail: Detail, cut: boolean): LimitChange {
    this.limit = limit;
    if (cut) this.cuts++;
    this.changedAt = now;
    return { ...detail, limit, windowMs: this.windowMs, configured: this.configured, configuredWindowMs: this.configuredWindowMs };
  }
}

/** One line for the operator, e.g. "server limit appears to be about 300/min; sending at 270/min". */
export function describeLimitChange(change: LimitChange): string {
  const per = (windowMs: number) => (windowMs === 60_000 ? '/min' : ` per ${windowMs / 1000} s`);
  const sameWindow = change.windowMs === change.configuredWindowMs;
  const sending = sameWindow ? Math.min(change.limit, change.configured) : change.limit;
  const cap = `(configured ${change.configured}${per(change.configuredWindowMs)})`;
  switch (change.reason) {
    case 'server_limit':
      return `the server announces a limit of ${change.limit}${per(change.windowMs)}; sending at ${sending}${per(change.windowMs)} ${cap}`;
    case 'rate_limited':
      return `rate limited: server limit appears to be about ${change.acceptedInWindow}${per(change.windowMs)}; sending at ${sending}${per(change.windowMs)} ${cap}`;
    case 'probe':
      return `no 429 for a whole window; probing up to ${sending}${per(change.windowMs)} ${cap}`;
  }
}
