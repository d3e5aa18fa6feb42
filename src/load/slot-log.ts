/** What became of one request, as far as the server's count goes. */
export type SendAnswer =
  /** Any answer but 429: the server counted it. */
  | 'accepted'
  /** 429: refused. */
  | 'refused'
  /** Given up, or its process died before the answer: the server may have counted it. */
  | 'none';

/** One request of a previous run, as the checkpoint kept it (times on the limiter's clock). */
export interface SendRecord {
  grantedAt: number;
  /** When its answer came back; null when the run died first. */
  doneAt: number | null;
  /** Null when the run died first. */
  answer: SendAnswer | null;
}

/** One request that has its answer (or was given up). */
interface DoneEntry {
  grantedAt: number;
  doneAt: number;
  answer: SendAnswer;
}

/**
 * The requests that may still count in the server's window. The server counts a request when it
 * *arrives*, which is somewhere between our send and its answer; so a request occupies its slot
 * from the grant until `window + margin` after its answer came back (in flight: indefinitely).
 * Then N+1 requests can never arrive within one server window, whatever the network delays.
 */
export class SlotLog {
  /** Grant time of each request in flight, by id. */
  private readonly inFlight = new Map<number, number>();
  /** Sorted by `doneAt`: entries are appended when answered, and the clock only moves forward. */
  private readonly done: DoneEntry[] = [];

  /** Answered entries are kept this long after their answer: the longest window asked about. */
  private retainMs = 0;

  constructor(private readonly marginMs: number) {}

  /** Requests of a previous run; one that never got its answer is taken as answered at `now`. */
  restore(records: readonly SendRecord[], now: number): void {
    const entries = records.map((r) => ({
      grantedAt: r.grantedAt,
      doneAt: r.doneAt === null ? now : Math.min(r.doneAt, now),
      answer: r.answer ?? 'none',
    }));
    this.done.push(...entries.sort((a, b) => a.doneAt - b.doneAt));
  }

  /** Request `id` is being sent at `now`. */
  grant(id: number, now: number): void {
    this.inFlight.set(id, now);
  }

  /** Request `id` has its answer (or will never get one) at `now`. */
  finish(id: number, now: number, answer: SendAnswer): void {
    const grantedAt = this.inFlight.get(id);
    if (grantedAt === undefined) return;
    this.inFlight.delete(id);
    const last = this.done.at(-1)?.doneAt ?? now;
    this.done.push({ grantedAt, doneAt: Math.max(now, last), answer });
  }

  /**
   * Milliseconds until fewer than `limit` slots of a `windowMs` window are occupied; Infinity when
   * an answer must come first.
   */
  waitFor(limit: number, windowMs: number, now: number): number {
    this.retainMs = Math.max(this.retainMs, windowMs);
    this.prune(now);
    const hold = windowMs + this.marginMs;
    let first = 0; // first answered entry still holding a slot of this window
    while (first < this.done.length && this.done[first]!.doneAt + hold <= now) first++;
    const mustFree = this.inFlight.size + this.done.length - first - limit + 1;
    if (mustFree <= 0) return 0;
    const freeing = this.done[first + mustFree - 1];
    return freeing ? freeing.doneAt + hold - now : Number.POSITIVE_INFINITY;
  }

  /** Answered requests the server accepted that were sent after `since`: what it certainly counted. */
  acceptedSince(since: number): number {
    let count = 0;
    for (const entry of this.done) if (entry.answer === 'accepted' && entry.grantedAt > since) count++;
    return count;
  }

  /**
   * Our requests that may have been in the server's window when it counted one granted at
   * `grantedAt` (that one included): in flight, or answered less than a window before that grant.
   * No margin, unlike the slots of waitFor: this bounds what the server saw, not what we may send.
   */
  inServerWindow(grantedAt: number, windowMs: number): number {
    let count = this.inFlight.size;
    for (let i = this.done.length - 1; i >= 0 && this.done[i]!.doneAt > grantedAt - windowMs; i--) count++;
    return count;
  }

  /**
   * The most accepted requests that lay wholly, grant to answer, within one `windowMs`: arrivals
   * the server certainly took inside one of its windows (what a restarted limiter knows it allows).
   * Grants alone would overstate it: requests granted close together may arrive a window apart.
   */
  peakAccepted(windowMs: number): number {
    const accepted = this.done.filter((e) => e.answer === 'accepted').sort((a, b) => a.grantedAt - b.grantedAt);
    let peak = 0;
    for (let start = 0; start < accepted.length; start++) {
      const from = accepted[start]!.grantedAt;
      let within = 0;
      for (let i = start; i < accepted.length && accepted[i]!.grantedAt < from + windowMs; i++) {
        if (accepted[i]!.doneAt < from + windowMs) within++;
      }
      peak = Math.max(peak, within);
    }
    return peak;
  }

  private prune(now: number): void {
    // inServerWindow looks a window back from a grant, which for a slow request in flight may be long ago.
    let from = now;
    for (const grantedAt of this.inFlight.values()) from = Math.min(from, grantedAt);
    let expired = 0;
    while (expired < this.done.length && this.done[expired]!.doneAt + this.retainMs + this.marginMs <= from) expired++;
    if (expired > 0) this.done.splice(0, expired);
  }
}

