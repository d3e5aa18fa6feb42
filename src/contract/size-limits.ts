/**
 * The contract's size rules, measured without the allocations of the obvious way (`[...text]`,
 * `JSON.stringify`), since the mapper checks every field of every user against them.
 */

/** Code points in text, as JSON Schema's maxLength counts (and `[...text].length` would): a surrogate pair is one, a lone surrogate one. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    count += 1;
  }
  return count;
}

/** Whether text has at most `limit` code points; text no longer than that in UTF-16 units cannot have more. */
export function fitsInChars(text: string, limit: number): boolean {
  return text.length <= limit || codePointLength(text) <= limit;
}

/**
 * Whether `JSON.stringify(value)` is at most `maxBytes` bytes of UTF-8. A cheap upper bound
 * settles the usual case (a small object of plain JSON); only a value that might not fit, or one
 * the bound does not model (a `toJSON`, a class instance, a bigint, deep nesting), is serialised.
 */
export function jsonFitsInBytes(value: unknown, maxBytes: number): boolean {
  if (jsonBytesBound(value, 0) <= maxBytes) return true;
  return Buffer.byteLength(JSON.stringify(value), 'utf8') <= maxBytes;
}

/** Nesting deeper than this is measured exactly (which also leaves cycles to JSON.stringify's own error). */
const BOUND_DEPTH = 16;
/** Longest text of a JSON number: `-1.2345678901234567e-308`. */
const NUMBER_BYTES = 24;

/**
 * An upper bound of the UTF-8 bytes `JSON.stringify` gives `value` as a member (0 when it leaves
 * the member out), or Infinity when the value is not plain JSON data. Each UTF-16 unit of text
 * takes at most 6 bytes (`\u001f`, a lone surrogate's `\udc00`; a pair is 4 bytes in 2 units).
 */
function jsonBytesBound(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 6 * value.length + 2;
    case 'number':
      return NUMBER_BYTES;
    case 'boolean':
      return 5;
    case 'undefined':
    case 'function':
    case 'symbol':
      return 0;
    case 'object':
      return value === null ? 4 : objectBytesBound(value, depth);
    default:
      return Number.POSITIVE_INFINITY;
  }
}

function objectBytesBound(value: object, depth: number): number {
  if (depth >= BOUND_DEPTH || Object.hasOwn(value, 'toJSON')) return Number.POSITIVE_INFINITY;
  if (Array.isArray(value)) {
    let total = 2;
    // Array members JSON leaves out are written as null.
    for (const item of value as unknown[]) total += Math.max(jsonBytesBound(item, depth + 1), 4) + 1;
    return total;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return Number.POSITIVE_INFINITY;
  let total = 2;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    total += 6 * key.length + 4 + jsonBytesBound((value as Record<string, unknown>)[key], depth + 1);
  }
  return total;
}
