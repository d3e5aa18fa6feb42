import type { LedgerOutcome } from '../checkpoint/index.js';
import type { ComparedField } from './compare-user.js';

/** Eligible in the source, but no user in Dynamic carries its legacy id. */
export interface MissingUser {
  legacyId: string;
  /** What the ledger says happened to it; null when it was never sent. */
  ledgerOutcome: LedgerOutcome | null;
  dynamicUserId: string | null;
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
  sourceRejected: number;
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
  /** True only when no category below has an entry (exit 0). */
  agree: boolean;
  /** Why the comparison may be less than exact (a run in progress, batches in doubt, a changed mapping). */
  warnings: string[];
  counts: ReconcileCounts;
  missing: MissingUser[];
  differs: DifferingUser[];
  deletedInSource: DeletedInSourceUser[];
  ledgerNotInTarget: LedgerNotInTarget[];
  extra: ExtraUser[];
  duplicates: DuplicateUser[];
}

/** The report's categories, in the order they are printed. */
export const REPORT_CATEGORIES = ['missing', 'differs', 'deletedInSource', 'ledgerNotInTarget', 'extra', 'duplicates'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** Exit code of a finished reconcile: 0 when everything agrees, 3 when differences were found. */
export function reconcileExitCode(report: Pick<ReconcileReport, 'agree'>): number {
  return report.agree ? 0 : 3;
}
