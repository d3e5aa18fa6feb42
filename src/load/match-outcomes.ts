import { IDENTITY_CLASH_CODES, type BulkResponse, type DynamicUser, type UserPayload } from '../contract/index.js';

/**
 * What became of one legacy user: `created` / `updated` (by this request); `already_exists` (a
 * Dynamic user carrying its legacy id was there, not created by this job); `conflict` (an identity
 * of it is held by someone else's Dynamic user); `failed`; `in_doubt` (nobody knows yet: the
 * answer was silent about it, or a look-up could not be made; the next run resolves it).
 */
export type UserOutcomeKind = 'created' | 'updated' | 'already_exists' | 'conflict' | 'failed' | 'in_doubt';

/** What happened to one legacy user in one bulk request. */
export interface UserOutcome {
  legacyId: string;
  outcome: UserOutcomeKind;
  /** The Dynamic user id: of the user created or updated, or (conflict) of whoever holds the identity. */
  dynamicUserId?: string;
  /** Whose Dynamic user `dynamicUserId` is: `job` = created by this job. */
  owner?: 'job' | 'legacy_id' | 'other';
  /** When Dynamic says that user was created (created, updated): tells a user a lost attempt made from one there before. */
  dynamicCreatedAt?: string;
  /** The server's `failed[].code`, or `no_outcome` when the response said nothing about this user. */
  errorCode?: string;
  errorMessage?: string;
}

/** A response entry that matched no user we sent: ignored, but worth a log line. */
export interface UnmatchedOutcome {
  kind: 'created' | 'updated' | 'failed';
  user: DynamicUser;
  code?: string;
}

export const NO_OUTCOME_CODE = 'no_outcome';

interface Entry {
  kind: 'created' | 'updated' | 'failed';
  user: DynamicUser;
  code?: string;
  error?: string;
  used: boolean;
}

/**
 * Pairs each sent user with its outcome. The API does not echo request indexes, so entries are
 * matched by `user.metadata[legacyIdKey]` (compared as strings) and, for entries without it, by email
 * (case-insensitive). Returns exactly one outcome per sent user, in the order sent: a user the
 * response is silent about is `in_doubt` (`no_outcome`), and one refused for an identity someone
 * holds a provisional `conflict` with the server's code (the caller may look the holder up).
 * Entries matching nothing go to `onUnmatched`.
 */
export function matchOutcomes(
  sent: ReadonlyArray<{ legacyId: string; payload: UserPayload }>,
  response: BulkResponse,
  legacyIdKey: string,
  onUnmatched?: (entry: UnmatchedOutcome) => void,
): UserOutcome[] {
  const entries: Entry[] = [
    ...response.created.map((user) => ({ kind: 'created' as const, user, used: false })),
    ...response.updated.map((user) => ({ kind: 'updated' as const, user, used: false })),
    ...response.failed.map((f) => ({ kind: 'failed' as const, user: f.user, code: f.code, error: f.error, used: false })),
  ];
  const byLegacyId = new Map<string, Entry[]>();
  const byEmail = new Map<string, Entry[]>();
  for (const entry of entries) {
    const legacyId = entry.user.metadata?.[legacyIdKey];
    if (legacyId != null) push(byLegacyId, String(legacyId), entry);
    else if (entry.user.email) push(byEmail, entry.user.email.toLowerCase(), entry);
  }

  const outcomes = sent.map(({ legacyId, payload }) => {
    const entry =
      take(byLegacyId.get(legacyId)) ?? (payload.email ? take(byEmail.get(payload.email.toLowerCase())) : undefined);
    return entry ? toOutcome(legacyId, entry) : noOutcome(legacyId, legacyIdKey);
  });

  for (const entry of entries) {
    if (!entry.used) onUnmatched?.({ kind: entry.kind, user: entry.user, ...(entry.code ? { code: entry.code } : {}) });
  }
  return outcomes;
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

/** First unused entry; marks it used so two sent users never share one outcome. */
function take(list: Entry[] | undefined): Entry | undefined {
  const entry = list?.find((candidate) => !candidate.used);
  if (entry) entry.used = true;
  return entry;
}

function toOutcome(legacyId: string, entry: Entry): UserOutcome {
  if (entry.kind !== 'failed') {
    const createdAt = typeof entry.user.createdAt === 'string' ? { dynamicCreatedAt: entry.user.createdAt } : {};
    return { legacyId, outcome: entry.kind, ...(entry.user.id ? { dynamicUserId: entry.user.id } : {}), ...createdAt };
  }
  const code = entry.code ?? 'unknown';
  // A failed entry echoes what we sent: its id, if any, is not a Dynamic user's.
  const outcome = IDENTITY_CLASH_CODES.has(code) ? 'conflict' : 'failed';
  return { legacyId, outcome, errorCode: code, ...(entry.error ? { errorMessage: entry.error } : {}) };
}

function noOutcome(legacyId: string, legacyIdKey: string): UserOutcome {
  return {
    legacyId,
    outcome: 'in_doubt',
    errorCode: NO_OUTCOME_CODE,
    errorMessage:
      `the response had no outcome for this user (matched by metadata.${legacyIdKey}, then email); ` +
      'it may or may not be in Dynamic: the next run looks it up',
  };
}
