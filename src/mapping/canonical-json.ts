import * as crypto from 'node:crypto';
import type { UserPayload } from '../contract/index.js';

/**
 * JSON with object keys sorted at every level, so two equal values always serialise to the same
 * text whatever order their keys were built in. Undefined members are dropped, as JSON does.
 */
export function canonicalJson(value: unknown): string {
  // A sorted copy serialised natively beats writing the text member by member in JavaScript.
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

/** SHA-256 (hex) of {@link canonicalJson}. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * {@link canonicalHash} of a payload: equal payloads hash alike whatever their key order, so a
 * rerun can skip users whose mapped data has not changed since they were sent.
 */
export function payloadHash(payload: UserPayload): string {
  return canonicalHash(payload);
}

/** One-shot `crypto.hash` where Node has it (20.12+): no Hash object per call. Same digest either way. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toJSON();
  if (Array.isArray(value)) return value.map(sortKeys);
  const keys = sortedKeys(Object.keys(value));
  const out: Record<string, unknown> = {};
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as string;
    out[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return out;
}

/** Up to this many keys an insertion sort beats Array.prototype.sort's setup; payload objects have fewer. */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts keys in place, in the order `.sort()` gives (UTF-16 code units; keys are distinct, so
 * stability does not matter), by insertion for the few keys of a payload object.
 */
export function sortedKeys(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let index = 1; index < keys.length; index += 1) {
    const key = keys[index] as string;
    let at = index - 1;
    while (at >= 0 && (keys[at] as string) > key) {
      keys[at + 1] = keys[at] as string;
      at -= 1;
    }
    keys[at + 1] = key;
  }
  return keys;
}
