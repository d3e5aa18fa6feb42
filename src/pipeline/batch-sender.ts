import type { BulkClient, LoaderWait, UserOutcome } from '../load/index.js';
import { matchOutcomes } from '../load/index.js';
import type { DeveloperRequestOptions } from '../load/developer-request.js';
import { hasUniqueIdentity, identitiesOf, type Identity } from '../load/identity-holders.js';
import { resolveUser, type Resolution } from '../load/resolve-user.js';
import { LoadError, coerceError } from '../errors.js';
import type { PlannedBatch, PlannedUser } from './batch-builder.js';
import { ownerOfFound } from './ownership.js';

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

  /** Sends users, halving on a 400; says whether an attempt may have landed, and when the first went out. */
  const sendUsers = async (users: PlannedUser[], upsert: boolean, stop: AbortSignal): Promise<{ outcomes: UserOutcome[]; mayHaveLanded: boolean; sentAt: number }> => {
    const sentAt = Date.now();
    try {
      const { response, mayHaveLanded } = await client.send(users.map((user) => user.payload), { upsert, waitSignal: stop });
      const outcomes = matchOutcomes(users, response, legacyIdKey, (unmatched) =>
        options.warn?.(`the API returned a ${unmatched.kind} user that matches nothing in the batch (user id ${unmatched.user.id ?? 'unknown'})`));
      return { outcomes, mayHaveLanded, sentAt };
    } catch (error) {
      if (!(error instanceof LoadError) || error.code !== 'bad_request') throw error;
      if (users.length === 1) {
        const [user] = users as [PlannedUser];
        return { outcomes: [{ legacyId: user.legacyId, outcome: 'failed', errorCode: 'bad_request', errorMessage: error.message }], mayHaveLanded: false, sentAt };
      }
      const half = Math.ceil(users.length / 2);
      const first = await sendUsers(users.slice(0, half), upsert, stop);
      const second = await sendUsers(users.slice(half), upsert, stop);
      return { outcomes: [...first.outcomes, ...second.outcomes], mayHaveLanded: first.mayHaveLanded || second.mayHaveLanded, sentAt };
    }
  };

  /** Looks users up, telling the display while any look-up is going on. */
  const resolve = async (user: PlannedUser, clashCode?: string, identities?: Identity[]): Promise<Looked> => {
    if (resolving++ === 0) options.waiting?.({ reason: 'resolving', message: 'looking up users whose answer was lost, before trusting "already exists"' });
    try {
      return await resolveUser(user.legacyId, user.payload, { legacyIdKey, request: options.lookups, ...(clashCode ? { clashCode } : {}), ...(identities ? { identities } : {}) });
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
    /**
     * Settles a looked-up user; false when nobody holds its identities (it is to be sent, or, after
     * a refusal, settled by the caller). `attemptSince`: when an attempt of ours that may have made
     * it went out (see ownerOfFound); `refused`: Dynamic's refusal of the payload, if any.
     */
    const settle = (user: PlannedUser, resolution: Looked, attemptSince: number | undefined, refused?: UserOutcome): boolean => {
      const code = refused?.errorCode;
      switch (resolution.kind) {
        case 'ours': {
          const owner = ownerOfFound(resolution, { attemptSince, known: user.known });
          if (owner === 'unknown') {
            results.set(user.legacyId, notKnownOurs(user, resolution.dynamicUserId, code));
            return true;
          }
          // Made by an attempt of this job whose answer was lost (owner job), or there before that
          // attempt, carrying this legacy id (e.g. a job since reset): ours to update, not to roll back.
          const outcome = foundAs(user, owner, resolution.dynamicUserId);
          if (refused?.outcome === 'failed') {
            // Dynamic holds it, but refuses what the row says now: kept, the refusal reported, resent later.
            results.set(user.legacyId, { ...outcome, errorCode: refused.errorCode ?? 'failed', ...(refused.errorMessage ? { errorMessage: refused.errorMessage } : {}) });
            return true;
          }
          results.set(user.legacyId, { ...outcome, ...hashes(user) });
          if (resolution.differs) refresh.push(user);
          return true;
        }
        case 'foreign':
          results.set(user.legacyId, conflict(user, resolution.dynamicUserId, resolution.column, code));
          return true;
        case 'unknown':
          // An attempt of ours may have made it: nobody knows yet. Else it is someone's we cannot name.
          results.set(user.legacyId, attemptSince !== undefined
            ? stillInDoubt(user, 'lookup_failed', `could not be looked up: ${resolution.reason}`)
            : { legacyId: user.legacyId, outcome: 'conflict', owner: 'other', errorCode: code ?? 'lookup_failed', errorMessage: `refused as existing, and who holds it could not be told: ${resolution.reason}` });
          return true;
        case 'absent':
          return false;
      }
    };
    for (const user of users) {
      if (!user.inDoubt) continue;
      const since = user.inDoubtSince ?? 0;
      // A lost attempt with other identities than the row has now (its email changed since): if
      // Dynamic holds it under those, sending the new ones would create the user a second time.
      const current = new Set(identitiesOf(user.payload).map((identity) => identity.key));
      const former = (user.sentIdentities ?? []).filter((identity) => !current.has(identity.key));
      if (former.length > 0) {
        const earlier = await resolve(user, undefined, former);
        if (earlier.kind === 'ours') {
          const owner = ownerOfFound(earlier, { attemptSince: since, known: user.known });
          results.set(user.legacyId, owner === 'unknown'
            ? notKnownOurs(user, earlier.dynamicUserId)
            : {
                ...foundAs(user, owner, earlier.dynamicUserId), errorCode: 'identity_changed',
                errorMessage: `Dynamic holds it as user ${earlier.dynamicUserId} under the identities of an earlier attempt; its row has others now, and the bulk upsert finds users by identity: update that user by hand`,
              });
          continue;
        }
        if (earlier.kind === 'unknown' && settle(user, earlier, since)) continue;
      }
      if (!hasUniqueIdentity(user.payload)) settle(user, await resolve(user), since);
    }
    const toSend = users.filter((user) => !results.has(user.legacyId));
    if (toSend.length > 0) {
      const { outcomes, mayHaveLanded, sentAt } = await sendUsers(toSend, false, stop);
      const byId = new Map(toSend.map((user) => [user.legacyId, user]));
      for (const outcome of outcomes) {
        const user = byId.get(outcome.legacyId) as PlannedUser;
        // When the earliest attempt of ours that may have made it went out; undefined: none may have.
        const attemptSince = earliest(user.inDoubt ? (user.inDoubtSince ?? 0) : undefined, mayHaveLanded ? sentAt : undefined);
        const lookUp = outcome.outcome === 'conflict' || (outcome.outcome === 'failed' && attemptSince !== undefined);
        if (!lookUp) {
          results.set(user.legacyId, withOwner(outcome, user));
          continue;
        }
        // Whose is it? Ours (this legacy id) or someone else's: only a look-up tells. A refusal of a
        // user one of our attempts may have made says nothing of whether it is there: looked up too.
        if (settle(user, await resolve(user, outcome.errorCode), attemptSince, outcome)) continue;
        if (outcome.outcome === 'failed') {
          results.set(user.legacyId, outcome); // nobody holds it: the refusal is the whole story
          continue;
        }
        // Refused as existing, yet nobody found holding it (a list that lags behind, say): when one
        // of our attempts may have made it, nobody knows yet; otherwise someone else holds it.
        results.set(user.legacyId, attemptSince !== undefined
          ? stillInDoubt(user, outcome.errorCode ?? 'no_holder_found', `${outcome.errorMessage ?? outcome.errorCode}; no user holding its identities was found by look-up yet`)
          : { ...outcome, owner: 'other', errorMessage: `${outcome.errorMessage ?? outcome.errorCode}; no user holding its identities was found by look-up` });
      }
    }
    if (refresh.length > 0) await refreshOurs(refresh, results, stop);
    return users.map((user) => results.get(user.legacyId) as PipelineOutcome);
  };

  /** Ours, holding other data than the payload: updated, keeping the owner the look-up gave (`created` by this job stays so). */
  const refreshOurs = async (users: PlannedUser[], results: Map<string, PipelineOutcome>, stop: AbortSignal): Promise<void> => {
    let outcomes: UserOutcome[];
    try {
      ({ outcomes } = await sendUsers(users, true, stop));
    } catch (thrown) {
      const error = coerceError(thrown);
      if (!(error instanceof LoadError) || error.isAuthFailure) throw error;
      // Ours, its data unsure: in doubt, so the next run looks it up and compares again.
      for (const user of users) results.set(user.legacyId, stillInDoubt(user, 'refresh_failed', error.message));
      return;
    }
    for (const outcome of outcomes) {
      const found = results.get(outcome.legacyId) as PipelineOutcome;
      if (outcome.outcome === 'created') {
        // Our user vanished meanwhile and the upsert made a new one: that one is the job's.
        results.set(outcome.legacyId, { ...found, outcome: 'created', owner: 'job', ...(outcome.dynamicUserId ? { dynamicUserId: outcome.dynamicUserId } : {}) });
      } else if (outcome.outcome === 'updated') {
        // The payload is what Dynamic holds now; one found there before this job was updated by it.
        if (found.outcome === 'already_exists') results.set(outcome.legacyId, { ...found, outcome: 'updated' });
      } else {
        // Still ours; what Dynamic holds is not the payload (no hash), so a later run sends it again.
        const { payloadHash: _stale, ...kept } = found;
        results.set(outcome.legacyId, { ...kept, ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}), ...(outcome.errorMessage ? { errorMessage: outcome.errorMessage } : {}) });
      }
    }
  };

  const sendUpsert = async (users: PlannedUser[], stop: AbortSignal): Promise<PipelineOutcome[]> => {
    const results = new Map<string, PipelineOutcome>();
    for (const user of users.filter((candidate) => candidate.guard)) {
      const resolution = await resolve(user);
      if (resolution.kind === 'foreign') results.set(user.legacyId, conflict(user, resolution.dynamicUserId, resolution.column));
      else if (resolution.kind === 'unknown') results.set(user.legacyId, stillInDoubt(user, 'lookup_failed', `could not be looked up: ${resolution.reason}`));
      else if (resolution.kind === 'ours' && ownerOfFound(resolution, { attemptSince: undefined, known: user.known }) === 'unknown') {
        results.set(user.legacyId, notKnownOurs(user, resolution.dynamicUserId));
      } else if (resolution.kind === 'absent' && user.known?.dynamicUserId) {
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

/** A look-up's answer, or why none could be had. */
type Looked = Resolution | { kind: 'unknown'; reason: string };

/** The hashes of what was sent, for outcomes that mean Dynamic now holds it. */
function hashes(user: PlannedUser): Pick<PipelineOutcome, 'payloadHash' | 'identityHash'> {
  return { ...(user.payloadHash ? { payloadHash: user.payloadHash } : {}), ...(user.identityHash ? { identityHash: user.identityHash } : {}) };
}

/**
 * An answered outcome with whose user it is: a created one is this job's; an updated one keeps the
 * owner the ledger knew for that very Dynamic user, or is someone else's (an upsert writes our
 * legacy id into whatever user it reaches, so the answer alone never makes a user ours).
 */
function withOwner(outcome: UserOutcome, user: PlannedUser): PipelineOutcome {
  switch (outcome.outcome) {
    case 'created':
      return { ...outcome, owner: 'job', ...hashes(user) };
    case 'updated': {
      const same = user.known?.inDynamic === true && user.known.dynamicUserId === outcome.dynamicUserId;
      return { ...outcome, owner: same ? (user.known?.owner ?? 'other') : 'other', ...hashes(user) };
    }
    case 'conflict':
      return { ...outcome, owner: 'other', errorMessage: `${outcome.errorMessage ?? outcome.errorCode}: held by someone else in Dynamic; not updated` };
    default:
      return outcome;
  }
}

/** The earlier of two moments, either possibly unknown. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** A Dynamic user carrying this legacy id, found by look-up: made by this job (`job`: created) or there before its attempt (`legacy_id`). */
function foundAs(user: PlannedUser, owner: 'job' | 'legacy_id', dynamicUserId: string): PipelineOutcome {
  return { legacyId: user.legacyId, outcome: owner === 'job' ? 'created' : 'already_exists', owner, dynamicUserId };
}

/** A Dynamic user carrying this legacy id that the ledger knows as someone else's, or without an owner: a conflict, never updated. */
function notKnownOurs(user: PlannedUser, holderId: string, code?: string): PipelineOutcome {
  return conflict(user, holderId, 'legacy id', code, 'it carries this legacy id, but the ledger knows it as someone else\'s, or not at all');
}

/** Nobody knows yet what became of it: the next run looks it up again. */
function stillInDoubt(user: PlannedUser, code: string, message: string): PipelineOutcome {
  return { legacyId: user.legacyId, outcome: 'in_doubt', errorCode: code, errorMessage: message };
}

function conflict(user: PlannedUser, holderId: string, column: string, code?: string, why?: string): PipelineOutcome {
  return {
    legacyId: user.legacyId, outcome: 'conflict', owner: 'other', dynamicUserId: holderId, errorCode: code ?? `${column.replace(/ /g, '_')}_held_by_another_user`,
    errorMessage: why
      ? `Dynamic user ${holderId}: ${why}: not updated`
      : `its ${column} belongs to Dynamic user ${holderId}, which does not carry this legacy id: not ours to update`,
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
