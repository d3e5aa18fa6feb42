import type { LedgerView } from './journal.js';

/** How one mapped user goes out, or why it does not. */
export type SendDecision =
  /**
   * Sent without upsert (`create`) or with it (`upsert`). `inDoubt`: an earlier attempt may have
   * created it, so Dynamic's "already exists" is looked up before it is believed. `guard`: its
   * identities changed since they were last sent, so before the upsert they are looked up, lest
   * the upsert reach someone else's account.
   */
  | { action: 'send'; mode: 'create' | 'upsert'; inDoubt: boolean; guard: boolean }
  /** Its payload equals what was last sent: nothing to do. */
  | { action: 'unchanged' }
  /** Its Dynamic user is not known to be ours: a change is never pushed into it (a reported conflict). */
  | { action: 'conflict' };

export interface SendContext {
  /** An incremental pass: the ledger's entry is what was sent before, not an interrupted attempt. */
  incremental: boolean;
  /** `--upsert`: the operator's explicit choice to update existing users, whoever's they are. */
  upsert: boolean;
  resendUnchanged: boolean;
  /** Left in doubt by an earlier run (sent, and nobody knows whether it landed). */
  inDoubt: boolean;
  payloadHash: string | undefined;
  identityHash: string;
}

/**
 * The replay rule, in one place. Without `--upsert`, a user is sent with upsert only when the
 * ledger knows the Dynamic user it would update is ours: created by this job, or carrying this
 * row's legacy id (`owner` `job` / `legacy_id`). Everyone else is sent without upsert, so Dynamic
 * refuses an identity someone holds instead of merging the legacy user into that account: an
 * unverified email in a legacy table is never a way into someone's Dynamic account. Users in doubt
 * are sent without upsert too, and what Dynamic reports as existing is looked up (see the batch
 * sender). A user recorded as someone else's (`conflict`, or an owner not known to be ours) stays
 * a conflict however its legacy row changes; so does one of unknown owner. Pure.
 */
export function decideSend(known: LedgerView | undefined, ctx: SendContext): SendDecision {
  const unchanged = ctx.incremental && !ctx.inDoubt && !ctx.resendUnchanged && known?.payloadHash != null && known.payloadHash === ctx.payloadHash;
  if (ctx.upsert) {
    return unchanged && known?.inDynamic ? { action: 'unchanged' } : { action: 'send', mode: 'upsert', inDoubt: ctx.inDoubt, guard: false };
  }
  if (ctx.inDoubt || known === undefined || !ctx.incremental) return { action: 'send', mode: 'create', inDoubt: ctx.inDoubt, guard: false };
  // Someone else's, or of an owner the ledger cannot tell (recorded before schema 4: maybe a merge of old).
  if (known.outcome === 'conflict' || (known.inDynamic && known.owner !== 'job' && known.owner !== 'legacy_id')) return unchanged ? { action: 'unchanged' } : { action: 'conflict' };
  if (!known.inDynamic) return { action: 'send', mode: 'create', inDoubt: false, guard: false }; // failed, rejected, rolled back
  if (unchanged) return { action: 'unchanged' };
  const guard = known.identityHash !== ctx.identityHash;
  return { action: 'send', mode: 'upsert', inDoubt: false, guard };
}

