/**
 * Slots of the report's table: 3 × 2^21 ≈ 6.3 million, 12 bytes each (a 64-bit fingerprint and a
 * 32-bit owner), so 72 MiB allocated once, whatever the size of the source. At the 0.8 load limit
 * it holds ~5 million distinct identities: 1.2 million users of the benchmark's shape (4.3
 * identities each: email, username, 1.75 wallets, 0.7 OAuth accounts), at a load of 0.68 for 1M.
 */
export const DEFAULT_SLOTS = 3 * 2 ** 21;
/** Linear probing slows sharply past this load: the table stops taking new fingerprints instead. */
const MAX_LOAD = 0.8;
/** Cells per slot in the one interleaved array: one cache line serves a whole probe. */
const CELLS = 3;

/** {@link FingerprintTable.claim}: the fingerprint was not there and is now, owned by the caller. */
export const INSERTED = -1;
/** {@link FingerprintTable.claim}: the fingerprint was not there and the table is full: not kept. */
export const TABLE_FULL = -2;

/**
 * A fixed-size, preallocated open-addressing set of 64-bit fingerprints, each with a 32-bit owner
 * (the report's compact reference to the first row that had it). Never grows: memory is decided at
 * construction, and past {@link MAX_LOAD} new fingerprints are refused (`TABLE_FULL`) while those
 * already in still answer. The fingerprint (0, 0) marks an empty slot, so it is stored as (0, 1).
 */
export class FingerprintTable {
  readonly #slots: number;
  readonly #cells: Uint32Array;
  readonly #limit: number;
  #used = 0;

  constructor(slots: number = DEFAULT_SLOTS) {
    this.#slots = Math.max(2, Math.floor(slots));
    this.#cells = new Uint32Array(this.#slots * CELLS);
    this.#limit = Math.floor(this.#slots * MAX_LOAD);
  }

  /** Fingerprints held. */
  get used(): number {
    return this.#used;
  }

  /** Bytes allocated, for the report's note. */
  get bytes(): number {
    return this.#cells.byteLength;
  }

  /**
   * Looks the fingerprint up, inserting it with `owner` when absent. Returns the slot holding it
   * when it was there already (read and change its owner with `ownerAt` / `setOwner`), else
   * {@link INSERTED} or {@link TABLE_FULL}.
   */
  claim(hi: number, lo: number, owner: number): number {
    hi >>>= 0;
    lo = lo >>> 0 || (hi === 0 ? 1 : 0);
    const cells = this.#cells;
    let slot = this.#homeSlot(hi);
    for (;;) {
      const at = slot * CELLS;
      const storedHi = cells[at] as number;
      const storedLo = cells[at + 1] as number;
      if (storedHi === hi && storedLo === lo) return slot;
      if (storedHi === 0 && storedLo === 0) {
        if (this.#used >= this.#limit) return TABLE_FULL;
        cells[at] = hi;
        cells[at + 1] = lo;
        cells[at + 2] = owner;
        this.#used++;
        return INSERTED;
      }
      slot = slot + 1 === this.#slots ? 0 : slot + 1;
    }
  }

  /**
   * Reads the home slot of a fingerprint and returns its first cell, for no other purpose than
   * bringing it into the cache: a loop of these has no branch on what it loads, so the CPU keeps
   * many such misses in flight at once, and the `claim`s that follow find their slots cached.
   */
  warm(hi: number): number {
    return this.#cells[this.#homeSlot(hi >>> 0) * CELLS] as number;
  }

  /** Where a fingerprint's probe starts: multiply-shift of its (unsigned) high half onto [0, slots), uniform as that half is. */
  #homeSlot(hi: number): number {
    return Math.floor((hi / 4294967296) * this.#slots);
  }

  ownerAt(slot: number): number {
    return this.#cells[slot * CELLS + 2] as number;
  }

  setOwner(slot: number, owner: number): void {
    this.#cells[slot * CELLS + 2] = owner;
  }
}
