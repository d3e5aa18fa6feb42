import { REPORT_CATEGORIES, type ReconcileReport, type ReportCategory } from './reconcile-report.js';

/** How many legacy ids each category shows in the text report (`--json` lists them all). */
export const EXAMPLES_PER_CATEGORY = 10;

const TITLES: Readonly<Record<ReportCategory, string>> = {
  missing: 'missing in Dynamic (eligible in the source, no user carries the legacy id)',
  differs: 'data differs (source mapping vs Dynamic)',
  deletedInSource: 'deleted or soft-deleted in the source since migrated (reported only, never deleted)',
  ledgerNotInTarget: 'ledger entries whose Dynamic user no longer exists',
  extra: 'in Dynamic but not recorded as migrated in the ledger',
  duplicates: 'legacy ids carried by more than one Dynamic user',
};

/** Short per-entry detail: field names, reasons and outcomes only, never personal data. */
function detail(category: ReportCategory, entry: Record<string, unknown>): string {
  switch (category) {
    case 'missing': return entry.ledgerOutcome ? `ledger: ${String(entry.ledgerOutcome)}` : 'never sent';
    case 'differs': {
      const fields = (entry.fields as string[]).join(',');
      const why = entry.sourceChangedSinceSent === true ? '; changed in the source since sent' : entry.sourceChangedSinceSent === false ? '; changed in Dynamic' : '';
      return `${fields}${why}`;
    }
    case 'deletedInSource': return `${String(entry.reason)}${entry.inTarget ? ', still in Dynamic' : ''}`;
    case 'ledgerNotInTarget': return `ledger user ${String(entry.dynamicUserId)}`;
    case 'extra': return entry.ledgerOutcome ? `ledger: ${String(entry.ledgerOutcome)}` : 'unknown to the ledger';
    case 'duplicates': return `${(entry.dynamicUserIds as string[]).length} users`;
  }
}

/**
 * The human report: counts, then each category with its size and up to
 * {@link EXAMPLES_PER_CATEGORY} legacy ids (ids only: no emails, names or addresses).
 */
export function formatReconcileReport(report: ReconcileReport): string {
  const c = report.counts;
  const lines = [
    `reconcile job ${report.job} (environment ${report.environmentId})`,
    `  source   ${c.sourceEligible} eligible, ${c.sourceRejected} rejected by the mapping`,
    `  ledger   ${c.ledgerEntries} entries, ${c.ledgerMigrated} migrated`,
    `  Dynamic  ${c.targetUsers} users listed, ${c.targetWithoutLegacyId} without a legacy id (ignored)`,
    `  agreeing ${c.agreeing}`,
    ...report.warnings.map((warning) => `  warning: ${warning}`),
  ];
  for (const category of REPORT_CATEGORIES) {
    const entries = report[category] as unknown as Array<Record<string, unknown> & { legacyId: string }>;
    if (entries.length === 0) continue;
    lines.push('', `${category}: ${entries.length}  ${TITLES[category]}`);
    for (const entry of entries.slice(0, EXAMPLES_PER_CATEGORY)) lines.push(`  ${entry.legacyId}  ${detail(category, entry)}`);
    if (entries.length > EXAMPLES_PER_CATEGORY) lines.push(`  … and ${entries.length - EXAMPLES_PER_CATEGORY} more (--json lists all)`);
  }
  lines.push('', report.agree ? 'source, ledger and Dynamic agree' : 'differences found (exit 3)');
  return lines.join('\n');
}
