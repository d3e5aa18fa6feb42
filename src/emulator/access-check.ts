import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ENVIRONMENT_ID_PATTERN } from '../contract/index.js';

/** A whole-request refusal: status and JSON body. */
export interface Refusal {
  status: number;
  body: Record<string, unknown>;
}

export interface AccessPolicy {
  token: string;
  /** Environments the token may use; undefined = all. */
  environmentIds?: readonly string[];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The checks every environment route makes, in the API's order: the environment id's format
 * (400), the bearer token (401), then the token's access to that environment (403).
 */
export function checkAccess(req: IncomingMessage, environmentId: string, policy: AccessPolicy): Refusal | undefined {
  if (!ENVIRONMENT_ID_PATTERN.test(environmentId)) {
    return {
      status: 400,
      body: { error: 'environmentId must be a lower-case UUID of 36 characters', code: 'invalid_environment_id' },
    };
  }
  const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1] || !sameSecret(match[1].trim(), policy.token)) {
    return { status: 401, body: { error: 'Unauthorized', code: 'unauthorized' } };
  }
  if (policy.environmentIds && !policy.environmentIds.includes(environmentId)) {
    return { status: 403, body: { error: 'This token has no access to the environment', code: 'forbidden' } };
  }
  return undefined;
}
