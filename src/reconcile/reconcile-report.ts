import type { LedgerOutcome } from '../checkpoint/index.js';
import type { ComparedField } from './compare-user.js';

/** Eligible in the source, but no user in Dynamic carries its legacy id. */
export interface MissingUser {
  legacyId: string;
  /** What the ledger says happened to it; null when it was never sent. */
  ledgerOutcome: LedgerOutcome | null;
  dynamicUserId: string | null;
}

/**
 * Eligible in the source, not in Dynamic because one of its identities (email, wallet, OAuth
 * account, username) belongs to someone else's Dynamic user: the run did not put it into that
 * account on purpose. A difference all the same (exit 3): the operator decides, e.g. a rerun with
 * `--upsert` to update the holder, or a change in the source.
 */
export interface ConflictUser {
  legacyId: string;
  /** The holder the ledger names (not this user's own account); null when it names none. */
  holderDynamicUserId: string | null;
  /** Whether Dynamic still lists the holder; null when the ledger names none. */
  holderInTarget: boolean | null;
  /** Dynamic's or the look-up's code, e.g. `email_already_exists`; null when the ledger has none. */
  code: string | null;
}

/**
 * A source row the mapping rejects (any rule, the duplicates policy's included): never sent, so
 * expected to be absent from Dynamic. Not a difference.
 */
export interface ExpectedAbsentUser {
  legacyId: string;
  /** The rules it breaks, e.g. `pattern`, `duplicate`, `duplicate_merged`; each once. */
  rules: string[];
  /**
   * Whether a Dynamic user carries its legacy id anyway (migrated before it became a reject): then
   * it is also under `deletedInSource` (reason `rejected`) or `extra`.
   */
  inTarget: boolean;
}

/** In Dynamic, but some compared fields differ from what the source maps to today. */
export interface DifferingUser {
  legacyId: string;
  dynamicUserId: string;
  /** Field names only: values are personal data. */
  fields: ComparedField[];
  /**
   * True when the source row changed since it was last sent (the ledger's payload hash is not the
   * current one: the next run will send it); false when Dynamic was changed from elsewhere; null
   * when the ledger has no hash for it.
   */
  sourceChangedSinceSent: boolean | null;
}

/** Why a user the ledger records as migrated is no longer eligible. */
export type DeletedReason =
  /** The row no longer exists in the source table (hard delete). */
  | 'gone'
  /** The row exists but the mapping's filter excludes it now (a soft delete, e.g. `deleted_at`). */
  | 'filtered_out'
  /** The row is still selected but no longer maps to a valid user. */
  | 'rejected';

/** Migrated, then deleted or soft-deleted in the source. Reported only: nothing is ever deleted. */
export interface DeletedInSourceUser {
  legacyId: string;
  dynamicUserId: string | null;
  reason: DeletedReason;
  /** Whether Dynamic still lists a user with this legacy id. */
  inTarget: boolean;
}

/** The ledger names a Dynamic user id that Dynamic no longer lists. */
export interface LedgerNotInTarget {
  legacyId: string;
  dynamicUserId: string;
  /** Other Dynamic users that carry this legacy id now (a recreated user); usually empty. */
  targetUserIds: string[];
}

/** A Dynamic user whose legacy id the ledger does not record as migrated. */
export interface ExtraUser {
  legacyId: string;
  dynamicUserId: string;
  /** null: unknown to the ledger; otherwise the non-success outcome the ledger holds. */
  ledgerOutcome: LedgerOutcome | null;
  /** Whether the source row is eligible today. */
  eligible: boolean;
}

/** More than one Dynamic user carries the same legacy id. */
export interface DuplicateUser {
  legacyId: string;
  dynamicUserIds: string[];
}

export interface ReconcileCounts {
  sourceEligible: number;
  /** Rows the mapping rejects (its duplicates policy included): expected absent, not a difference. */
  sourceRejected: number;
  /** Rejected rows per rule; a row breaking two rules counts under both. */
  sourceRejectedByRule: Record<string, number>;
  ledgerEntries: number;
  /** Entries with a success outcome (created, updated, already_exists). */
  ledgerMigrated: number;
  targetUsers: number;
  /** Listed users without `metadata[legacyIdKey]`: not ours, never compared. */
  targetWithoutLegacyId: number;
  /** Eligible users present in Dynamic exactly once with the same data. */
  agreeing: number;
}

/** Everything `reconcile` found; the `--json` output. Every list is in legacy-id order. */
export interface ReconcileReport {
  job: string;
  environmentId: string;
  /** True only when no category of {@link REPORT_CATEGORIES} has an entry (exit 0). */
  agree: boolean;
  /** Why the comparison may be less than exact (a run in progress, batches in doubt, a changed mapping). */
  warnings: string[];
  counts: ReconcileCounts;
  missing: MissingUser[];
  conflicts: ConflictUser[];
  differs: DifferingUser[];
  deletedInSource: DeletedInSourceUser[];
  ledgerNotInTarget: LedgerNotInTarget[];
  extra: ExtraUser[];
  duplicates: DuplicateUser[];
  /** Rows the mapping rejects: absent on purpose, listed for the record (not a difference). */
  expectedAbsent: ExpectedAbsentUser[];
}

/**
 * The categories that are differences (any entry: exit 3), in the order they are printed.
 * `expectedAbsent` is not one: those rows were never meant to be in Dynamic.
 */
export const REPORT_CATEGORIES = ['missing', 'conflicts', 'differs', 'deletedInSource', 'ledgerNotInTarget', 'extra', 'duplicates'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/**
 * Exit code of a finished reconcile: 0 when everything agrees, 3 when differences were found.
 * Conflicts count as differences: a legacy user is not in Dynamic as theirs, and only the operator
 * can decide what to do about someone else's account. Rows the mapping rejects do not: the run
 * reported them already (its exit 3) and never meant to send them.
 */
export function reconcileExitCode(report: Pick<ReconcileReport, 'agree'>): number {
  return report.agree ? 0 : 3;
}
