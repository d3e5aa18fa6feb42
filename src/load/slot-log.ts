/** One request that has its answer (or was given up). */
interface DoneEntry {
  grantedAt: number;
  doneAt: number;
  /** The server answered something other than 429: it counted the request against its limit. */
  accepted: boolean;
}

/**
 * The requests that may still count in the server's window. The server counts a request when it
 * *arrives*, which is somewhere between our send and its answer; so a request occupies its slot
 * from the grant until `window + margin` after its answer came back (in flight: indefinitely).
 * Then N+1 requests can never arrive within one server window, whatever the network delays.
 */
export class SlotLog {
  private inFlight = 0;
  /** Sorted by `doneAt`: entries are appended when answered, and the clock only moves forward. */
  private readonly done: DoneEntry[] = [];

  /** Answered entries are kept this long after their answer: the longest window asked about. */
  private retainMs = 0;

  constructor(private readonly marginMs: number) {}

  /** A request is being sent now. */
  grant(): void {
    this.inFlight++;
  }

  /** The request granted at `grantedAt` has its answer (or will never get one) at `now`. */
  finish(grantedAt: number, now: number, accepted: boolean): void {
    this.inFlight--;
    const last = this.done.at(-1)?.doneAt ?? now;
    this.done.push({ grantedAt, doneAt: Math.max(now, last), accepted });
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
    const mustFree = this.inFlight + this.done.length - first - limit + 1;
    if (mustFree <= 0) return 0;
    const freeing = this.done[first + mustFree - 1];
    return freeing ? freeing.doneAt + hold - now : Number.POSITIVE_INFINITY;
  }

  /** Answered requests the server accepted (non-429) that were sent after `since`. */
  acceptedSince(since: number): number {
    let count = 0;
    for (const entry of this.done) if (entry.accepted && entry.grantedAt > since) count++;
    return count;
  }

  private prune(now: number): void {
    let expired = 0;
    while (expired < this.done.length && this.done[expired]!.doneAt + this.retainMs + this.marginMs <= now) expired++;
    if (expired > 0) this.done.splice(0, expired);
  }
}
