import type { UserPayload } from '../contract/index.js';
import { canonicalHash } from './canonical-json.js';

/**
 * SHA-256 (hex) of a payload's canonical JSON: equal payloads hash alike whatever their key order,
 * so a rerun can skip users whose mapped data has not changed since they were sent.
 */
export function payloadHash(payload: UserPayload): string {
  return canonicalHash(payload);
}
