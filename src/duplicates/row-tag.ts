/**
 * A legacy id in 32 bits, for the fingerprint table's owner cell. Integer ids below 2^31 - 1 (the
 * usual serial keys) are stored as themselves, so the first holder of an identity can be named
 * later without keeping its string; any other id (uuid, text, bigger numbers) as a 31-bit hash
 * with the top bit set: enough to tell it from another row, not to name it (two such rows sharing
 * an identity are taken for one, missing that cluster, with probability 2^-31 per pair).
 */

/** An owner value no row gets: the slot's identity is a cluster the report counts but does not list. */
export const UNLISTED_CLUSTER = 0x7fffffff;
const HASHED = 0x80000000;

/** The tag of a legacy id (see the module comment). */
export function rowTag(legacyId: string): number {
  const length = legacyId.length;
  if (length > 0 && length <= 10 && (length === 1 || legacyId.charCodeAt(0) !== 48)) {
    let value = 0;
    let i = 0;
    for (; i < length; i++) {
      const digit = legacyId.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === length && value < UNLISTED_CLUSTER) return value;
  }
  let hash = 0x811c9dc5; // FNV-1a
  for (let j = 0; j < length; j++) hash = Math.imul(hash ^ legacyId.charCodeAt(j), 0x01000193);
  return (HASHED | (hash >>> 1)) >>> 0;
}

/** The legacy id a tag stands for, when it can be told (integer ids); undefined for hashed ones. */
export function legacyIdOfTag(tag: number): string | undefined {
  return tag < UNLISTED_CLUSTER ? String(tag) : undefined;
}
