import type { DuplicateKind } from './duplicate-keys.js';

/** Seeds both lanes per kind, so an email and a username with the same text never share a fingerprint. */
const KIND_SEED: Readonly<Record<DuplicateKind, number>> = { email: 0x9e3779b9, username: 0x85ebca6b, wallet: 0xc2b2ae35, oauth: 0x27d4eb2f };

/**
 * Writes the 64-bit fingerprint of a normalised identity into `out[0]` (high half) and `out[1]`
 * (low half): no allocation, so it costs a few multiplications per character where SHA-256 cost a
 * hash object and a Buffer per identity. Non-cryptographic on purpose: the inputs are the source's
 * own values, not an adversary's, and a fingerprint is never written out. Two 32-bit lanes run over
 * the UTF-16 code units, each a multiply-xor chain with its own odd constant, and are cross-mixed
 * at the end (cyrb53's scheme, keeping all 64 bits). Taken as a random 64-bit value, two of n
 * distinct identities share one with probability about n²/2^65: 4.3e-7 for 4 million identities.
 */
export function fingerprintInto(out: Uint32Array, kind: DuplicateKind, normalised: string): void {
  const seed = KIND_SEED[kind];
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < normalised.length; i++) {
    const code = normalised.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 ^= normalised.length;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h2;
  out[1] = h1;
}

const scratch = new Uint32Array(2);

/** The fingerprint as a Map key: four UTF-16 code units (8 bytes of payload), for the policy pre-scan. */
export function fingerprintKey(kind: DuplicateKind, normalised: string): string {
  fingerprintInto(scratch, kind, normalised);
  const hi = scratch[0] as number;
  const lo = scratch[1] as number;
  return String.fromCharCode(hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff);
}
