/**
 * Room kept free at the end of the target while writing: structural bytes (`,` `:` `]` `}`, the
 * quotes) and numbers (at most 24 characters) are written without a bounds check of their own, so
 * each value checks that this much is left before it starts.
 */
const SLACK = 64;

/** {@link writeJsonBytes}'s answer when the value does not fit in the target from that offset. */
export const NO_ROOM = -1;
/** {@link writeJsonBytes}'s answer when the value is not made only of what it writes itself. */
export const NOT_PLAIN = -2;

// Thrown inside the writer, caught by writeJsonBytes.
const FULL = Symbol('full');
const GIVE_UP = Symbol('not plain JSON');

/**
 * Writes `JSON.stringify(value)` as UTF-8 straight into `target` from `offset`, byte for byte the
 * same, without making the string: for the dry run's payloads file (a user's line is ~740 bytes),
 * where JSON.stringify and then encoding its string took 3.79 µs a payload and this takes 3.25, and
 * leaves no string behind as garbage.
 *
 * Only what a payload is made of is written here: text that is printable ASCII without `"` or `\`,
 * finite numbers, booleans, null, arrays and plain objects. Text with other characters goes
 * through JSON.stringify (its escapes, and UTF-8 for the rest); anything else (a `toJSON` method,
 * an object of a class, undefined in an array, a bigint) makes the whole value come back to the
 * caller, as does a target too small for it. The target's last 32 bytes are never written, so
 * the caller can always add a newline after the value.
 * @returns the offset after the last byte written; or {@link NO_ROOM} or {@link NOT_PLAIN}, and then
 *   what was written past `offset` is garbage, to be overwritten
 */
export function writeJsonBytes(target: Uint8Array, offset: number, value: unknown): number {
  const writer = new JsonByteWriter(target, offset);
  try {
    writer.value(value);
  } catch (thrown) {
    if (thrown === FULL) return NO_ROOM;
    if (thrown === GIVE_UP) return NOT_PLAIN;
    throw thrown;
  }
  return writer.pos;
}

class JsonByteWriter {
  private readonly limit: number;

  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {
    this.limit = bytes.length - SLACK;
  }

  value(value: unknown): void {
    if (this.pos > this.limit) throw FULL;
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'number':
        this.ascii(Number.isFinite(value) ? String(value) : 'null');
        return;
      case 'boolean':
        this.ascii(value ? 'true' : 'false');
        return;
      case 'object':
        if (value === null) this.ascii('null');
        else if (Array.isArray(value)) this.array(value);
        else this.object(value);
        return;
      default:
        throw GIVE_UP;
    }
  }

  private array(items: readonly unknown[]): void {
    const bytes = this.bytes;
    bytes[this.pos++] = 0x5b; // [
    for (let index = 0; index < items.length; index++) {
      if (index > 0) bytes[this.pos++] = 0x2c; // ,
      const item = items[index];
      // JSON.stringify writes null for these in an array: rare enough to leave to it.
      if (item === undefined) throw GIVE_UP;
      this.value(item);
    }
    if (this.pos > this.limit) throw FULL;
    bytes[this.pos++] = 0x5d; // ]
  }

  private object(object: object): void {
    const prototype: unknown = Object.getPrototypeOf(object);
    // A class instance (Date, Map...) or an object with toJSON is JSON.stringify's to judge.
    if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in object) throw GIVE_UP;
    const bytes = this.bytes;
    const record = object as Record<string, unknown>;
    bytes[this.pos++] = 0x7b; // {
    let first = true;
    // for-in visits the own enumerable keys in JSON.stringify's order (the prototype has none).
    for (const key in record) {
      const item = record[key];
      // JSON.stringify leaves these members out.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      if (first) first = false;
      else bytes[this.pos++] = 0x2c; // ,
      this.string(key);
      bytes[this.pos++] = 0x3a; // :
      this.value(item);
    }
    if (this.pos > this.limit) throw FULL;
    bytes[this.pos++] = 0x7d; // }
  }

  /** Text JSON carries as it is (no escapes, no UTF-8 sequences); see {@link string}. */
  private ascii(text: string): void {
    const bytes = this.bytes;
    let pos = this.pos;
    for (let index = 0; index < text.length; index++) bytes[pos++] = text.charCodeAt(index);
    this.pos = pos;
  }

  private string(text: string): void {
    const bytes = this.bytes;
    const length = text.length;
    let pos = this.pos;
    if (pos + length > this.limit) throw FULL;
    bytes[pos++] = 0x22; // "
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      // Control characters, `"`, `\` (escaped) and everything past `~` (DEL, UTF-8): JSON.stringify's.
      if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) {
        this.escaped(text);
        return;
      }
      bytes[pos++] = code;
    }
    bytes[pos++] = 0x22; // "
    this.pos = pos;
  }

  private escaped(text: string): void {
    const encoded = Buffer.from(JSON.stringify(text));
    if (this.pos + encoded.length > this.limit) throw FULL;
    this.bytes.set(encoded, this.pos);
    this.pos += encoded.length;
  }
}
