import type { LedgerOutcome } from '../checkpoint/index.js';
import type { ComparableUser } from './comparable-user.js';
import { compareUser } from './compare-user.js';
import type {
  DeletedInSourceUser, DeletedReason, DifferingUser, DuplicateUser, ExtraUser, LedgerNotInTarget, MissingUser,
  ReconcileReport,
} from './reconcile-report.js';
import { byLegacyId } from './legacy-id-order.js';
import type { TargetUser } from './target-user.js';

/** Outcomes meaning "this user is in Dynamic", per the ledger. */
export const MIGRATED_OUTCOMES: ReadonlySet<LedgerOutcome> = new Set(['created', 'updated', 'already_exists']);

interface LedgerItem { dynamicUserId: string | null; outcome: LedgerOutcome }

/** One source row as reconcile sees it: eligible with what it maps to, or rejected by the mapping. */
export type SourceItem =
  | { legacyId: string; eligible: true; fields: ComparableUser; payloadHash: string; ledgerHash: string | null }
  | { legacyId: string; eligible: false };

/**
 * Classifies users across the three sets, with no I/O: feed it the whole ledger and every listed
 * Dynamic user first, then stream the source rows through `addSource`, then ask which migrated
 * users the source no longer selects (`unselectedMigrated`), look those up, and `finish`.
 * Holds the ledger (id, outcome) and the listed users' compared fields in memory: tens of MB for
 * 100k users. Source rows are not kept, only the set of eligible legacy ids.
 */
export class Reconciler {
  private readonly ledger = new Map<string, LedgerItem>();
  private readonly targetByLegacyId = new Map<string, TargetUser[]>();
  private readonly targetIds = new Set<string>();
  private readonly eligible = new Set<string>();
  private readonly rejected = new Set<string>();
  private targetWithoutLegacyId = 0;
  private sourceRejected = 0;
  private agreeing = 0;
  private readonly missing: MissingUser[] = [];
  private readonly differs: DifferingUser[] = [];

  addLedgerEntry(entry: { legacyId: string; dynamicUserId: string | null; outcome: LedgerOutcome }): void {
    this.ledger.set(entry.legacyId, { dynamicUserId: entry.dynamicUserId, outcome: entry.outcome });
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
    if (!item.eligible) {
      this.sourceRejected++;
      this.rejected.add(item.legacyId);
      return;
    }
    this.eligible.add(item.legacyId);
    const ledger = this.ledger.get(item.legacyId);
    const holders = this.targetByLegacyId.get(item.legacyId) ?? [];
    if (holders.length === 0) {
      this.missing.push({ legacyId: item.legacyId, ledgerOutcome: ledger?.outcome ?? null, dynamicUserId: ledger?.dynamicUserId ?? null });
      return;
    }
    // With duplicates, compare the one the ledger points at (else the first): the duplicate itself is reported apart.
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
      if (MIGRATED_OUTCOMES.has(item.outcome) && !this.eligible.has(legacyId) && !this.rejected.has(legacyId)) ids.push(legacyId);
    }
    return ids;
  }

  /** The report; `stillInTable` holds which `unselectedMigrated()` ids still exist (soft-deleted). */
  finish(context: { job: string; environmentId: string; stillInTable: ReadonlySet<string>; warnings?: string[] }): ReconcileReport {
    const deletedInSource: DeletedInSourceUser[] = [];
    const ledgerNotInTarget: LedgerNotInTarget[] = [];
    let ledgerMigrated = 0;
    for (const [legacyId, item] of this.ledger) {
      if (!MIGRATED_OUTCOMES.has(item.outcome)) continue;
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
      const ledger = this.ledger.get(legacyId);
      if (!ledger || !MIGRATED_OUTCOMES.has(ledger.outcome)) {
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
        sourceRejected: this.sourceRejected,
        ledgerEntries: this.ledger.size,
        ledgerMigrated,
        targetUsers: this.targetIds.size,
        targetWithoutLegacyId: this.targetWithoutLegacyId,
        agreeing: this.agreeing,
      },
      missing: this.missing.sort(byLegacyId),
      differs: this.differs.sort(byLegacyId),
      deletedInSource: deletedInSource.sort(byLegacyId),
      ledgerNotInTarget: ledgerNotInTarget.sort(byLegacyId),
      extra: extra.sort(byLegacyId),
      duplicates: duplicates.sort(byLegacyId),
    };
    const agree = [report.missing, report.differs, report.deletedInSource, report.ledgerNotInTarget, report.extra, report.duplicates]
      .every((list) => list.length === 0);
    return { ...report, agree };
  }
}
