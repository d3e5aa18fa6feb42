import { bulkRequestSchema, describeIssues, type UserPayload } from '../../contract/index.js';
import type { Refusal } from '../access-check.js';

/** One contract violation of a bulk body; `index` is the user's position, null for the body itself. */
export interface BodyViolation {
  index: number | null;
  field: string;
  rule: string;
  message: string;
}

const badRequest = (error: string, details: BodyViolation[]): Refusal => ({
  status: 400,
  body: { error, code: 'bad_request', details },
});

/**
 * Parses and validates a bulk body with the contract's `bulkRequestSchema`, the same schema the
 * mapper uses, so a payload the mapper accepts is never refused here and vice versa.
 */
export function parseBulkBody(text: string): { ok: true; users: UserPayload[] } | { ok: false; refusal: Refusal } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, refusal: badRequest('Request body is not valid JSON', []) };
  }
  // reportInput: describeIssues tells a missing field from a wrong type by the input zod keeps.
  const parsed = bulkRequestSchema.safeParse(json, { reportInput: true });
  if (parsed.success) return { ok: true, users: parsed.data };
  const details = parsed.error.issues.flatMap((issue) => {
    const [head, ...rest] = issue.path;
    const index = typeof head === 'number' ? head : null;
    const local = index === null ? issue : { ...issue, path: rest };
    return describeIssues([local]).map((v) => ({ index, ...v }));
  });
  return { ok: false, refusal: badRequest(summarize(json, details), details) };
}

function summarize(json: unknown, details: BodyViolation[]): string {
  if (!Array.isArray(json)) return 'Request body must be a JSON array of 1 to 50 users';
  const first = details[0];
  if (!first) return 'Request body violates the contract';
  if (first.index === null) return `Request body must hold 1 to 50 users, got ${json.length}`;
  const users = new Set(details.map((d) => d.index)).size;
  return `${users} user(s) violate the contract; first: users[${first.index}].${first.field} ${first.message}`;
}
