/**
 * A uniform random sample of at most `size` items from a stream of unknown length (Algorithm R):
 * memory stays at `size` items however many are offered. `random` is passed in so tests can
 * make the pick deterministic.
 */
export class SampleReservoir<T> {
  readonly #size: number;
  readonly #random: () => number;
  readonly #items: T[] = [];
  #seen = 0;
  #changes = 0;

  constructor(size: number, random: () => number = Math.random) {
    this.#size = Math.max(0, Math.floor(size));
    this.#random = random;
  }

  /**
   * Offers the next item; `make` is only called when the item is kept (masking a payload is work
   * worth skipping for the millions not kept).
   */
  offer(make: () => T): void {
    this.#seen += 1;
    if (this.#items.length < this.#size) {
      this.#items.push(make());
      this.#changes++;
      return;
    }
    const slot = Math.floor(this.#random() * this.#seen);
    if (slot < this.#size) {
      this.#items[slot] = make();
      this.#changes++;
    }
  }

  /** Bumped whenever the kept items change: lets a caller reuse an index of them until then. */
  get changes(): number {
    return this.#changes;
  }

  /** How many items were offered in all. */
  get seen(): number {
    return this.#seen;
  }

  items(): readonly T[] {
    return this.#items;
  }
}
