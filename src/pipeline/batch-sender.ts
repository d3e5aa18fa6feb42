import type { BulkClient, LoaderWait, UserOutcome } from '../load/index.js';
import { matchOutcomes } from '../load/index.js';
import type { DeveloperRequestOptions } from '../load/developer-request.js';
import { hasUniqueIdentity } from '../load/identity-holders.js';
import { resolveUser, type Resolution } from '../load/resolve-user.js';
import { LoadError, coerceError } from '../errors.js';
import type { PlannedBatch, PlannedUser } from './batch-builder.js';

/** Outcome kinds the pipeline counts: the loader's, plus `would_send` for a dry run. */
export type PipelineOutcome = Omit<UserOutcome, 'outcome'> & {
  outcome: UserOutcome['outcome'] | 'would_send';
  /** Hash of the payload whose outcome this is; absent when what Dynamic holds is not known to match it. */
  payloadHash?: string;
  identityHash?: string;
};

/** Sends one batch and says what became of each user in it. */
export interface BatchSender {
  /**
   * `stop` is the run's stop signal: it may cut a wait short (rate limit, backoff), but a request
   * already on the wire is always allowed to finish, since its answer is what settles the batch.
   */
  send(batch: PlannedBatch, stop: AbortSignal): Promise<PipelineOutcome[]>;
}

export interface HttpBatchSenderOptions {
  client: BulkClient;
  legacyIdKey: string;
  /** Look-ups of users that may be ours, on the developer endpoints' budget (their own limiter). */
  lookups: DeveloperRequestOptions;
  warn?: (message: string) => void;
  /** Hears when the sender stops to look users up, and when it is done. */
  waiting?: (wait: LoaderWait | undefined) => void;
}

/**
 * The real sender: one bulk request per batch, outcomes matched back to legacy ids. A batch the
 * API refuses as a whole (400/422: nothing was stored) is split in halves and each half sent
 * again, down to single users, so one user the API will not take never blocks the others.
 *
 * Every user goes out without upsert (unless the batch is one of users known to be ours), users
 * left in doubt by an earlier run included; the ones Dynamic reports as existing (an identity
 * someone holds) are then looked up (see `resolveUser`):
 * - ours (carrying this row's legacy id): `created` by this job when it may have landed before
 *   (in doubt, or an earlier attempt of this request may have stored it), else `already_exists`
 *   (ours to update, not this job's to roll back); with its Dynamic id, and sent once more with
 *   upsert, on its own, only if what Dynamic holds differs from the payload;
 * - someone else's: a `conflict` naming the holder, never updated;
 * - a look-up that cannot be made: still `in_doubt`, for the next run.
 * An in-doubt user with no identity the API refuses twice (only a phone) is looked up before it
 * is sent, since sending it again could create it twice. An upsert whose identities changed since
 * they were last sent (`guard`) is looked up first too, so it cannot reach someone else's account.
 */
export function httpBatchSender(options: HttpBatchSenderOptions): BatchSender {
  const { client, legacyIdKey } = options;
  let resolving = 0;

  const sendUsers = async (users: PlannedUser[], upsert: boolean, stop: AbortSignal): Promise<{ outcomes: UserOutcome[]; mayHaveLanded: boolean }> => {
    try {
      const { response, mayHaveLanded } = await client.send(users.map((user) => user.payload), { upsert, waitSignal: stop });
      const outcomes = matchOutcomes(users, response, legacyIdKey, (unmatched) =>
        options.warn?.(`the API returned a ${unmatched.kind} user that matches nothing in the batch (user id ${unmatched.user.id ?? 'unknown'})`));
      return { outcomes, mayHaveLanded };
    } catch (error) {
      if (!(error instanceof LoadError) || error.code !== 'bad_request') throw error;
      if (users.length === 1) {
        const [user] = users as [PlannedUser];
        return { outcomes: [{ legacyId: user.legacyId, outcome: 'failed', errorCode: 'bad_request', errorMessage: error.message }], mayHaveLanded: false };
      }
      const half = Math.ceil(users.length / 2);
      const first = await sendUsers(users.slice(0, half), upsert, stop);
      const second = await sendUsers(users.slice(half), upsert, stop);
      return { outcomes: [...first.outcomes, ...second.outcomes], mayHaveLanded: first.mayHaveLanded || second.mayHaveLanded };
    }
  };

  /** Looks users up, telling the display while any look-up is going on. */
  const resolve = async (user: PlannedUser, clashCode?: string): Promise<Resolution | { kind: 'unknown'; reason: string }> => {
    if (resolving++ === 0) options.waiting?.({ reason: 'resolving', message: 'looking up users whose answer was lost, before trusting "already exists"' });
    try {
      return await resolveUser(user.legacyId, user.payload, { legacyIdKey, request: options.lookups, ...(clashCode ? { clashCode } : {}) });
    } catch (thrown) {
      const error = coerceError(thrown);
      if (!(error instanceof LoadError) || error.isAuthFailure) throw error;
      return { kind: 'unknown', reason: error.message };
    } finally {
      if (--resolving === 0) options.waiting?.(undefined);
    }
  };

  const sendCreate = async (users: PlannedUser[], stop: AbortSignal): Promise<PipelineOutcome[]> => {
    const results = new Map<string, PipelineOutcome>();
    const refresh: PlannedUser[] = []; // ours, but Dynamic holds other data: one upsert of their own
    /** Settles a looked-up user; false when nobody holds its identities (it is to be sent). */
    const settle = (user: PlannedUser, resolution: Resolution | { kind: 'unknown'; reason: string }, maybeOurs: boolean, code?: string): boolean => {
      switch (resolution.kind) {
        case 'ours':
          // Created by an attempt of this job whose answer was lost, or (never sent by this job)
          // by someone's earlier run with this legacy id: ours to update, not this job's to roll back.
          results.set(user.legacyId, maybeOurs
            ? { legacyId: user.legacyId, outcome: 'created', owner: 'job', dynamicUserId: resolution.dynamicUserId, ...hashes(user) }
            : { legacyId: user.legacyId, outcome: 'already_exists', owner: 'legacy_id', dynamicUserId: resolution.dynamicUserId, ...hashes(user) });
          if (resolution.differs) refresh.push(user);
          return true;
        case 'foreign':
          results.set(user.legacyId, conflict(user, resolution.dynamicUserId, resolution.column, code));
          return true;
        case 'unknown':
          results.set(user.legacyId, { legacyId: user.legacyId, outcome: 'in_doubt', errorCode: 'lookup_failed', errorMessage: `could not be looked up: ${resolution.reason}` });
          return true;
        case 'absent':
          return false;
      }
    };
    for (const user of users) {
      if (user.inDoubt && !hasUniqueIdentity(user.payload)) settle(user, await resolve(user), true);
    }
    const toSend = users.filter((user) => !results.has(user.legacyId));
    if (toSend.length > 0) {
      const { outcomes, mayHaveLanded } = await sendUsers(toSend, false, stop);
      const byId = new Map(toSend.map((user) => [user.legacyId, user]));
      for (const outcome of outcomes) {
        const user = byId.get(outcome.legacyId) as PlannedUser;
        if (outcome.outcome === 'conflict') {
          // Whose is it? Ours (this legacy id) or someone else's: only a look-up tells.
          if (settle(user, await resolve(user, outcome.errorCode), user.inDoubt === true || mayHaveLanded, outcome.errorCode)) continue;
          results.set(user.legacyId, { ...outcome, owner: 'other', errorMessage: `${outcome.errorMessage ?? outcome.errorCode}; no user holding its identities was found by look-up` });
          continue;
        }
        results.set(user.legacyId, withOwner(outcome, user));
      }
    }
    if (refresh.length > 0) await refreshOurs(refresh, results, stop);
    return users.map((user) => results.get(user.legacyId) as PipelineOutcome);
  };

  /** Ours, holding other data than the payload: updated, keeping the outcome the look-up gave (`created` by this job stays so). */
  const refreshOurs = async (users: PlannedUser[], results: Map<string, PipelineOutcome>, stop: AbortSignal): Promise<void> => {
    let outcomes: UserOutcome[];
    try {
      ({ outcomes } = await sendUsers(users, true, stop));
    } catch (thrown) {
      const error = coerceError(thrown);
      if (!(error instanceof LoadError) || error.isAuthFailure) throw error;
      // Ours, its data unsure: in doubt, so the next run looks it up and compares again.
      for (const user of users) results.set(user.legacyId, { legacyId: user.legacyId, outcome: 'in_doubt', errorCode: 'refresh_failed', errorMessage: error.message });
      return;
    }
    for (const outcome of outcomes) {
      const found = results.get(outcome.legacyId) as PipelineOutcome;
      if (outcome.outcome === 'created' || outcome.outcome === 'updated') {
        // The payload is what Dynamic holds now; one found there before this job was updated by it.
        if (found.outcome === 'already_exists') results.set(outcome.legacyId, { ...found, outcome: 'updated' });
        continue;
      }
      // Still ours and created by this job; what Dynamic holds is not the payload (no hash), so a later run sends it again.
      const { payloadHash: _stale, ...kept } = found;
      results.set(outcome.legacyId, { ...kept, ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}), ...(outcome.errorMessage ? { errorMessage: outcome.errorMessage } : {}) });
    }
  };

  const sendUpsert = async (users: PlannedUser[], stop: AbortSignal): Promise<PipelineOutcome[]> => {
    const results = new Map<string, PipelineOutcome>();
    for (const user of users.filter((candidate) => candidate.guard)) {
      const resolution = await resolve(user);
      if (resolution.kind === 'foreign') results.set(user.legacyId, conflict(user, resolution.dynamicUserId, resolution.column));
      else if (resolution.kind === 'unknown') results.set(user.legacyId, { legacyId: user.legacyId, outcome: 'in_doubt', errorCode: 'lookup_failed', errorMessage: `could not be looked up: ${resolution.reason}` });
      else if (resolution.kind === 'absent' && user.known?.dynamicUserId) {
        results.set(user.legacyId, {
          legacyId: user.legacyId, outcome: 'failed', errorCode: 'identity_changed',
          errorMessage: `none of its identities is held by its Dynamic user ${user.known.dynamicUserId} any more, and the bulk upsert finds users by identity: update that user by hand`,
        });
      }
    }
    const toSend = users.filter((user) => !results.has(user.legacyId));
    if (toSend.length > 0) {
      const { outcomes } = await sendUsers(toSend, true, stop);
      const byId = new Map(toSend.map((user) => [user.legacyId, user]));
      for (const outcome of outcomes) results.set(outcome.legacyId, withOwner(outcome, byId.get(outcome.legacyId) as PlannedUser));
    }
    return users.map((user) => results.get(user.legacyId) as PipelineOutcome);
  };

  return { send: (batch, stop) => (batch.upsert ? sendUpsert(batch.users, stop) : sendCreate(batch.users, stop)) };
}

/** The hashes of what was sent, for outcomes that mean Dynamic now holds it. */
function hashes(user: PlannedUser): Pick<PipelineOutcome, 'payloadHash' | 'identityHash'> {
  return { ...(user.payloadHash ? { payloadHash: user.payloadHash } : {}), ...(user.identityHash ? { identityHash: user.identityHash } : {}) };
}

/**
 * An answered outcome with whose user it is: a created one is this job's; an updated one keeps the
 * owner the ledger knew for that very Dynamic user (one rolled back, or another id, is not ours).
 */
function withOwner(outcome: UserOutcome, user: PlannedUser): PipelineOutcome {
  switch (outcome.outcome) {
    case 'created':
      return { ...outcome, owner: 'job', ...hashes(user) };
    case 'updated': {
      const known = user.known;
      const same = known?.inDynamic === true && (outcome.dynamicUserId === undefined || outcome.dynamicUserId === known.dynamicUserId);
      return { ...outcome, owner: same ? (known.owner ?? 'other') : 'other', ...hashes(user) };
    }
    case 'conflict':
      return { ...outcome, owner: 'other', errorMessage: `${outcome.errorMessage ?? outcome.errorCode}: held by someone else in Dynamic; not updated` };
    default:
      return outcome;
  }
}

function conflict(user: PlannedUser, holderId: string, column: string, code?: string): PipelineOutcome {
  return {
    legacyId: user.legacyId, outcome: 'conflict', owner: 'other', dynamicUserId: holderId, errorCode: code ?? `${column}_held_by_another_user`,
    errorMessage: `its ${column} belongs to Dynamic user ${holderId}, which does not carry this legacy id: not ours to update`,
  };
}

/** The dry-run sender: no HTTP at all; hands each would-be payload to `write` (the payloads file). */
export function dryRunBatchSender(write: (line: unknown) => void): BatchSender {
  return {
    async send(batch) {
      for (const user of batch.users) write({ legacyId: user.legacyId, upsert: batch.upsert, payload: user.payload });
      return batch.users.map((user) => ({ legacyId: user.legacyId, outcome: 'would_send' as const }));
    },
  };
}
