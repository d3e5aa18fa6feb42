/** Why the sending rate changed. */
export type LimitChangeReason = 'server_limit' | 'rate_limited' | 'probe' | 'probe_failed';

/** One change of the rate the limiter sends at, for a notice ("server limit appears to be ..."). */
export interface LimitChange {
  reason: LimitChangeReason;
  /** Requests per `windowMs` from now on; the configured limit still applies on top. */
  limit: number;
  windowMs: number;
  /** The user's limit, per `configuredWindowMs`: never exceeded. */
  configured: number;
  configuredWindowMs: number;
  /** `rate_limited`, `probe_failed`: the most requests the server was seen to accept in one window. */
  acceptedInWindow?: number;
}

/** What a slot remembers about the rate it was granted under, to judge its 429 later. */
export interface GrantedUnder {
  limit: number;
  /** `AdaptiveLimit.cuts` at the grant. */
  cuts: number;
}

/**
 * A refusal while our requests in the server's window were at most this share of our own limit
 * is evidence of a lower server limit; above it, the refusal is taken for noise. Noise refusing a
 * share p of the requests leaves about (1 - p) of the limit in the window, so noise up to 10% is
 * never mistaken for a limit.
 */
export const NOISE_SHARE = 0.1;

/** Windows at a lowered rate before the first probe back up; doubled by each probe that fails. */
export const FIRST_PROBE_AFTER_WINDOWS = 3;
export const MAX_PROBE_AFTER_WINDOWS = 32;

/** Windows the peak of accepted requests is remembered over (see the policy, point 4). */
export const PEAK_WINDOWS = 3;

/** A first probe raises the rate by this share of the configured limit (at least one request); each that holds, twice as much. */
export const PROBE_STEP_SHARE = 0.05;

type Detail = Pick<LimitChange, 'reason' | 'acceptedInWindow'>;

/**
 * The rate policy: how fast to send on top of the user's limit (`configured`, always the
 * ceiling), given what the server shows. This is the one place it is decided; the reasoning:
 *
 * 1. A server that announces its limit (RateLimit-Limit headers) gets exactly that, per its window,
 *    at once. Its 429s then only pause: someone else shares the quota, and cutting would not help.
 * 2. Every 429 pauses every sender until its Retry-After (the RateLimiter's pause); that alone
 *    answers a spurious 429 from a proxy, or other traffic from the same IP. It never changes the rate.
 * 3. Without headers, the rate is lowered only on consistent evidence that the server's limit is
 *    below ours: a 429 although clearly fewer of our requests than our own limit could have been
 *    in the server's window when it counted the refused one (at most 1 - {@link NOISE_SHARE} of
 *    it: the server stopped us short of our own limit), recurring in the next window with about as
 *    many accepted before it (within 10%, or 3 requests). Random 429s come while we send at our own
 *    rate, every slot used (a refused request keeps its slot), so they are not evidence. "Could have
 *    been in its window" is in flight or answered less than a window before the refused request's
 *    grant, without the slots' safety margin: right after a Retry-After pause that ended as the
 *    server's window freed, the margin still holds the last window's slots, and every slot would
 *    look used although the server took half. Nor is a refusal evidence when fewer of ours could
 *    be in the server's window than it was seen to accept within the last window: a limit refuses
 *    only at or above what it allows (the last window only, so a limit that dropped is followed
 *    as soon as the server accepts less), so that refusal is noise, or someone
 *    else's traffic on the same IP, which cutting would not help. Noise through a pause leaves
 *    free slots that only four senders take back slowly, so its refusals land at any level
 *    below the peak; a limit's land at it.
 * 4. The rate is then set to the most requests the server was seen to accept within one window
 *    over the last {@link PEAK_WINDOWS} windows (`peak`, measured by the slot log): the server
 *    demonstrably allows that much, and the slot log's conservative holding means sending at it
 *    causes no 429 against a sliding-window server. Never below that peak, so noise cannot ratchet
 *    the rate down; never on no evidence at all (nothing accepted yet tells nothing: a restarted run
 *    meeting its predecessor's window). The peak forgets older windows, so a limit that dropped
 *    for good is followed down too.
 * 5. After {@link FIRST_PROBE_AFTER_WINDOWS} windows at the lowered rate, held back by it, the rate
 *    probes back up toward the configured limit: by 5% of it, then, each window a probe holds,
 *    by twice the step before (a limit that was low for a while comes back in a few windows). A
 *    probe is judged after a whole window at its rate, never on one 429 (a proxy's would do): it
 *    holds when the server accepted more than the level we lowered to; it failed when there were
 *    429s and the server accepted no more than that level: back to it, the step back to 5%, and
 *    the next probe waits twice as long (at most {@link MAX_PROBE_AFTER_WINDOWS} windows), so a
 *    real limit costs one window of 429 episodes per probe, rarer and rarer.
 * 6. A 429 for a request granted before the last cut says nothing new (it was sent at the old rate).
 *
 * Pure: every method takes the time; the RateLimiter feeds it levels from its slot log.
 */
export class AdaptiveLimit {
  limit: number;
  windowMs: number;
  /** Number of changes that may lower the rate, so far. */
  cuts = 0;
  /** The limit came from the server's headers: exact, nothing to estimate or probe. */
  private announced = false;
  /** Accepted levels of the last {@link PEAK_WINDOWS} windows, oldest first: the peak is their most. */
  private readonly levels: Array<{ at: number; level: number }> = [];
  /** The first refusal of a possible episode of evidence, waiting for its confirmation. */
  private evidence: { at: number; accepted: number } | undefined;
  /** The level the rate was lowered to: what the server is believed to allow. */
  private known: number | undefined;
  /** The probe under way: when it began, the most the server accepted since, whether it refused. */
  private probing: { startedAt: number; peak: number; refused: boolean } | undefined;
  private probeAfterWindows = FIRST_PROBE_AFTER_WINDOWS;
  /** Windows to wait before the next probe: the interval after a cut, one after a probe that held. */
  private nextProbeAfter = FIRST_PROBE_AFTER_WINDOWS;
  private probeStep = 0;
  private changedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly configured: number, readonly configuredWindowMs: number) {
    this.limit = configured;
    this.windowMs = configuredWindowMs;
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

  /** The server accepted a request at `now`; `level` = our requests it accepted within the window up to now. */
  accepted(level: number, now: number): void {
    const last = this.levels.at(-1);
    if (last && last.level >= level && now - last.at < this.windowMs / 10) return; // nothing new: keep the list short
    this.levels.push({ at: now, level });
    while (this.levels.length > 0 && this.levels[0]!.at <= now - PEAK_WINDOWS * this.windowMs) this.levels.shift();
    if (this.probing && level > this.probing.peak) this.probing.peak = level;
  }

  /** The most the server accepted of ours within one window, over the last `windows` windows. */
  private peak(now: number, windows = PEAK_WINDOWS): number {
    let peak = 0;
    for (const { at, level } of this.levels) if (at > now - windows * this.windowMs && level > peak) peak = level;
    return peak;
  }

  /**
   * A 429 without an announced limit, for a request granted `under`. `sent` = our requests that
   * could have been in the server's window when it counted this one (see the policy, point 3);
   * `accepted` = our requests it accepted in the window before.
   */
  rateLimited(under: GrantedUnder, { sent, accepted }: { sent: number; accepted: number }, now: number): LimitChange | undefined {
    if (this.announced || under.cuts < this.cuts) return undefined;
    if (this.probing && this.known !== undefined && under.limit > this.known) {
      // Sent above the known level while probing: judged with the whole window, not on this 429.
      this.probing.refused = true;
      return this.judgeProbe(now);
    }
    if (sent > (1 - NOISE_SHARE) * under.limit) return undefined; // refused at our own rate: noise
    if (sent < this.peak(now, 1)) return undefined; // refused below what it accepted in the last window: noise, or others' traffic
    const earlier = this.evidence;
    if (earlier && now - earlier.at < this.windowMs / 2) return undefined; // the same episode
    if (!earlier || now - earlier.at > 2 * this.windowMs || !near(accepted, earlier.accepted)) {
      this.evidence = { at: now, accepted };
      return undefined;
    }
    this.evidence = undefined;
    // What the server was seen to accept: it allows that much, and (refused twice there) no more.
    const target = this.peak(now);
    if (target < 1 || target >= this.limit) return undefined;
    this.known = target;
    this.probing = undefined;
    this.nextProbeAfter = this.probeAfterWindows;
    this.probeStep = 0;
    return this.set(target, now, { reason: 'rate_limited', acceptedInWindow: target }, true);
  }

  /** Called when a grant waits on the adapted limit alone: a step up once the probe interval has passed. */
  probe(now: number): LimitChange | undefined {
    if (this.announced || this.known === undefined || this.limit >= this.configured) return undefined;
    if (this.probing) {
      const failed = this.judgeProbe(now);
      if (failed || this.probing) return failed;
    }
    if (now - this.changedAt < this.nextProbeAfter * this.windowMs) return undefined;
    const first = Math.max(1, Math.ceil(this.configured * PROBE_STEP_SHARE));
    this.probeStep = this.probeStep === 0 ? first : this.probeStep * 2;
    this.nextProbeAfter = 1;
    const next = Math.min(this.configured, this.limit + this.probeStep);
    if (next >= this.configured) {
      this.known = undefined; // back at the configured rate: nothing lowered any more
    } else {
      this.probing = { startedAt: now, peak: 0, refused: false };
    }
    return this.set(next, now, { reason: 'probe' }, false);
  }

  /**
   * After a whole window at a probed rate: held (the server accepted more than the known level,
   * which rises to it), failed (429s, and no more accepted: back to the known level), or untried
   * (no 429 and no more accepted: we did not send more, so the same level is tried another window).
   * Returns the change of a failed probe; the probe is over unless it was untried.
   */
  private judgeProbe(now: number): LimitChange | undefined {
    const probe = this.probing;
    const known = this.known;
    if (!probe || known === undefined || now - probe.startedAt < this.windowMs) return undefined;
    if (probe.peak > known + Math.max(3, 0.03 * known)) {
      this.probing = undefined;
      this.known = Math.min(probe.peak, this.limit);
      return undefined;
    }
    if (!probe.refused) {
      this.probing = { startedAt: now, peak: 0, refused: false };
      return undefined;
    }
    this.probing = undefined;
    this.probeAfterWindows = Math.min(MAX_PROBE_AFTER_WINDOWS, this.probeAfterWindows * 2);
    this.nextProbeAfter = this.probeAfterWindows;
    this.probeStep = 0;
    return this.set(known, now, { reason: 'probe_failed', acceptedInWindow: probe.peak }, true);
  }

  private set(limit: number, now: number, detail: Detail, cut: boolean): LimitChange {
    this.limit = limit;
    if (cut) this.cuts++;
    this.changedAt = now;
    return { ...detail, limit, windowMs: this.windowMs, configured: this.configured, configuredWindowMs: this.configuredWindowMs };
  }
}

/**
 * Two levels of refusal that tell the same story: within `share` of each other (10% by default),
 * and never closer than the 3 requests that may be in flight beside a refused one.
 */
function near(a: number, b: number, share = 0.1): boolean {
  return Math.abs(a - b) <= Math.max(3, share * Math.max(a, b));
}

/** One line for the operator, e.g. "server limit appears to be about 300/min; sending at 300/min". */
export function describeLimitChange(change: LimitChange): string {
  const per = (windowMs: number) => (windowMs === 60_000 ? '/min' : ` per ${windowMs / 1000} s`);
  const sameWindow = change.windowMs === change.configuredWindowMs;
  const sending = sameWindow ? Math.min(change.limit, change.configured) : change.limit;
  const cap = `(configured ${change.configured}${per(change.configuredWindowMs)})`;
  switch (change.reason) {
    case 'server_limit':
      return `the server announces a limit of ${change.limit}${per(change.windowMs)}; sending at ${sending}${per(change.windowMs)} ${cap}`;
    case 'rate_limited':
      return `rate limited in two windows running: server limit appears to be about ${change.acceptedInWindow}${per(change.windowMs)}; sending at ${sending}${per(change.windowMs)} ${cap}`;
    case 'probe_failed':
      return `rate limited again above ${sending}${per(change.windowMs)}: back to ${sending}${per(change.windowMs)}, probing again later ${cap}`;
    case 'probe':
      return `probing up to ${sending}${per(change.windowMs)} ${cap}`;
  }
}
