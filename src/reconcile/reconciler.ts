import { IN_DYNAMIC_OUTCOMES } from '../checkpoint/index.js';
import type { LedgerOutcome } from '../checkpoint/index.js';
import type { ComparableUser } from './comparable-user.js';
import { compareUser } from './compare-user.js';
import type {
  ConflictUser, DeletedInSourceUser, DeletedReason, DifferingUser, DuplicateUser, ExpectedAbsentUser, ExtraUser,
  LedgerNotInTarget, MissingUser, ReconcileReport,
} from './reconcile-report.js';
import { REPORT_CATEGORIES } from './reconcile-report.js';
import { byLegacyId } from './legacy-id-order.js';
import type { TargetUser } from './target-user.js';

/** What reconcile keeps of one ledger entry. */
export interface LedgerItem {
  legacyId: string;
  /** For a `conflict`, the holder: someone else's Dynamic user, never this legacy user's. */
  dynamicUserId: string | null;
  outcome: LedgerOutcome;
  /** Dynamic's code; only a conflict's is used (which identity someone else holds). */
  errorCode?: string | null;
}

/**
 * One source row as reconcile sees it, through the mapper the run uses (duplicates policy
 * included): eligible with what it maps to, or rejected with the rules it breaks.
 */
export type SourceItem =
  | { legacyId: string; eligible: true; fields: ComparableUser; payloadHash: string; ledgerHash: string | null }
  | { legacyId: string; eligible: false; rules: string[] };

/**
 * Classifies users across the three sets, with no I/O: feed it the whole ledger and every listed
 * Dynamic user first, then stream the source rows through `addSource`, then ask which migrated
 * users the source no longer selects (`unselectedMigrated`), look those up, and `finish`.
 * Holds the ledger (id, outcome) and the listed users' compared fields in memory: tens of MB for
 * 100k users. Source rows are not kept, only the set of eligible legacy ids and the rejected rows'
 * ids and rules.
 *
 * Users are matched by the legacy id they carry in Dynamic, never by the ledger's Dynamic id alone:
 * a conflict's ledger entry names someone else's user, which must not turn up as this legacy
 * user's (missing, differing, extra or duplicate) because of it.
 */
export class Reconciler {
  private readonly ledger = new Map<string, Omit<LedgerItem, 'legacyId'>>();
  private readonly targetByLegacyId = new Map<string, TargetUser[]>();
  private readonly targetIds = new Set<string>();
  private readonly eligible = new Set<string>();
  private readonly rejected = new Set<string>();
  private targetWithoutLegacyId = 0;
  private agreeing = 0;
  private readonly missing: MissingUser[] = [];
  private readonly conflicts: ConflictUser[] = [];
  private readonly differs: DifferingUser[] = [];
  private readonly expectedAbsent: ExpectedAbsentUser[] = [];
  private readonly rejectedByRule = new Map<string, number>();

  /** One ledger entry; the same legacy id again replaces it (e.g. to add a conflict's code). */
  addLedgerEntry(entry: LedgerItem): void {
    this.ledger.set(entry.legacyId, { dynamicUserId: entry.dynamicUserId, outcome: entry.outcome, errorCode: entry.errorCode ?? null });
  }

  addTargetUser(user: TargetUser): void {
    this.targetIds.add(user.id);
    if (user.legacyId === null) {
      this.targetWithoutLegacyId++;
      return;
    }
    const holders = this.targetByLegacyId.get(user.legacyId);
    if (holders) holders.push(user);
    else this.targetByLegacyId.set(user.legacyId, [user]);
  }

  addSource(item: SourceItem): void {
    const holders = this.targetByLegacyId.get(item.legacyId) ?? [];
    if (!item.eligible) {
      // Never sent, so expected absent; if a user carries the id anyway, `finish` reports it apart.
      this.rejected.add(item.legacyId);
      this.expectedAbsent.push({ legacyId: item.legacyId, rules: item.rules, inTarget: holders.length > 0 });
      for (const rule of item.rules) this.rejectedByRule.set(rule, (this.rejectedByRule.get(rule) ?? 0) + 1);
      return;
    }
    this.eligible.add(item.legacyId);
    const ledger = this.ledger.get(item.legacyId);
    if (holders.length === 0) {
      if (ledger?.outcome === 'conflict') {
        // The ledger's Dynamic id names the holder, someone else's user: not this one's, so not "missing" either.
        const holder = ledger.dynamicUserId;
        this.conflicts.push({
          legacyId: item.legacyId, holderDynamicUserId: holder, holderInTarget: holder === null ? null : this.targetIds.has(holder), code: ledger.errorCode ?? null,
        });
      } else {
        this.missing.push({ legacyId: item.legacyId, ledgerOutcome: ledger?.outcome ?? null, dynamicUserId: ledger?.dynamicUserId ?? null });
      }
      return;
    }
    // With duplicates, compare the one the ledger points at (else the first): the duplicate itself is
    // reported apart. Only users carrying this legacy id are candidates, so a conflict's holder never is.
    const target = holders.find((user) => user.id === ledger?.dynamicUserId) ?? (holders[0] as TargetUser);
    const fields = compareUser(item.fields, target.fields);
    if (fields.length > 0) {
      const sourceChangedSinceSent = item.ledgerHash === null ? null : item.ledgerHash !== item.payloadHash;
      this.differs.push({ legacyId: item.legacyId, dynamicUserId: target.id, fields, sourceChangedSinceSent });
    } else if (holders.length === 1) {
      this.agreeing++;
    }
  }

  /** Legacy ids the ledger records as migrated that the source did not yield as eligible or rejected. */
  unselectedMigrated(): string[] {
    const ids: string[] = [];
    for (const [legacyId, item] of this.ledger) {
      if (IN_DYNAMIC_OUTCOMES.has(item.outcome) && !this.eligible.has(legacyId) && !this.rejected.has(legacyId)) ids.push(legacyId);
    }
    return ids;
  }

  /** The report; `stillInTable` holds which `unselectedMigrated()` ids still exist (soft-deleted). */
  finish(context: { job: string; environmentId: string; stillInTable: ReadonlySet<string>; warnings?: string[] }): ReconcileReport {
    const deletedInSource: DeletedInSourceUser[] = [];
    const ledgerNotInTarget: LedgerNotInTarget[] = [];
    let ledgerMigrated = 0;
    for (const [legacyId, item] of this.ledger) {
      // Only entries that say "this user is in Dynamic": a conflict's id is its holder's, a rolled-back one's is gone on purpose.
      if (!IN_DYNAMIC_OUTCOMES.has(item.outcome)) continue;
      ledgerMigrated++;
      const holders = this.targetByLegacyId.get(legacyId) ?? [];
      if (!this.eligible.has(legacyId)) {
        const reason: DeletedReason = this.rejected.has(legacyId) ? 'rejected' : context.stillInTable.has(legacyId) ? 'filtered_out' : 'gone';
        deletedInSource.push({ legacyId, dynamicUserId: item.dynamicUserId, reason, inTarget: holders.length > 0 });
      }
      if (item.dynamicUserId !== null && !this.targetIds.has(item.dynamicUserId)) {
        ledgerNotInTarget.push({ legacyId, dynamicUserId: item.dynamicUserId, targetUserIds: holders.map((user) => user.id) });
      }
    }
    const extra: ExtraUser[] = [];
    const duplicates: DuplicateUser[] = [];
    for (const [legacyId, holders] of this.targetByLegacyId) {
      // By the legacy id the user carries, never by which ledger entries point at it (a conflict's holder).
      const ledger = this.ledger.get(legacyId);
      if (!ledger || !IN_DYNAMIC_OUTCOMES.has(ledger.outcome)) {
        for (const user of holders) {
          extra.push({ legacyId, dynamicUserId: user.id, ledgerOutcome: ledger?.outcome ?? null, eligible: this.eligible.has(legacyId) });
        }
      }
      if (holders.length > 1) duplicates.push({ legacyId, dynamicUserIds: holders.map((user) => user.id) });
    }
    const report: Omit<ReconcileReport, 'agree'> = {
      job: context.job,
      environmentId: context.environmentId,
      warnings: context.warnings ?? [],
      counts: {
        sourceEligible: this.eligible.size,
        sourceRejected: this.rejected.size,
        sourceRejectedByRule: Object.fromEntries([...this.rejectedByRule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
        ledgerEntries: this.ledger.size,
        ledgerMigrated,
        targetUsers: this.targetIds.size,
        targetWithoutLegacyId: this.targetWithoutLegacyId,
        agreeing: this.agreeing,
      },
      missing: this.missing.sort(byLegacyId),
      conflicts: this.conflicts.sort(byLegacyId),
      differs: this.differs.sort(byLegacyId),
      deletedInSource: deletedInSource.sort(byLegacyId),
      ledgerNotInTarget: ledgerNotInTarget.sort(byLegacyId),
      extra: extra.sort(byLegacyId),
      duplicates: duplicates.sort(byLegacyId),
      expectedAbsent: this.expectedAbsent.sort(byLegacyId),
    };
    const agree = REPORT_CATEGORIES.every((category) => report[category].length === 0);
    return { ...report, agree };
  }
}
