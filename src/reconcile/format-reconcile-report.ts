import { REPORT_CATEGORIES, type ReconcileReport, type ReportCategory } from './reconcile-report.js';

/** How many legacy ids each category shows in the text report (`--json` lists them all). */
export const EXAMPLES_PER_CATEGORY = 10;

type Section = ReportCategory | 'expectedAbsent';

const TITLES: Readonly<Record<Section, string>> = {
  missing: 'missing in Dynamic (eligible in the source, no user carries the legacy id)',
  conflicts: 'not migrated: an identity belongs to another Dynamic user (never updated without --upsert; decide per user)',
  differs: 'data differs (source mapping vs Dynamic)',
  deletedInSource: 'deleted or soft-deleted in the source since migrated (reported only, never deleted)',
  ledgerNotInTarget: 'ledger entries whose Dynamic user no longer exists',
  extra: 'in Dynamic but not recorded as migrated in the ledger',
  duplicates: 'legacy ids carried by more than one Dynamic user',
  expectedAbsent: 'rejected by the mapping, so never sent: absent from Dynamic as expected (not a difference)',
};

/** Short per-entry detail: field names, reasons, outcomes, codes and Dynamic ids only, never personal data. */
function detail(section: Section, entry: Record<string, unknown>): string {
  switch (section) {
    case 'missing': return entry.ledgerOutcome ? `ledger: ${String(entry.ledgerOutcome)}` : 'never sent';
    case 'conflicts': {
      const code = typeof entry.code === 'string' ? entry.code : 'conflict';
      const holder = typeof entry.holderDynamicUserId === 'string' ? `; held by ${entry.holderDynamicUserId}${entry.holderInTarget === false ? ' (no longer listed)' : ''}` : '';
      return `${code}${holder}`;
    }
    case 'differs': {
      const fields = (entry.fields as string[]).join(',');
      const why = entry.sourceChangedSinceSent === true ? '; changed in the source since sent' : entry.sourceChangedSinceSent === false ? '; changed in Dynamic' : '';
      return `${fields}${why}`;
    }
    case 'deletedInSource': return `${String(entry.reason)}${entry.inTarget ? ', still in Dynamic' : ''}`;
    case 'ledgerNotInTarget': return `ledger user ${String(entry.dynamicUserId)}`;
    case 'extra': return entry.ledgerOutcome ? `ledger: ${String(entry.ledgerOutcome)}` : 'unknown to the ledger';
    case 'duplicates': return `${(entry.dynamicUserIds as string[]).length} users`;
    case 'expectedAbsent': return `${(entry.rules as string[]).join(',')}${entry.inTarget ? '; but a Dynamic user carries it (see above)' : ''}`;
  }
}

function section(lines: string[], name: Section, entries: ReadonlyArray<{ legacyId: string }>): void {
  if (entries.length === 0) return;
  lines.push('', `${name}: ${entries.length}  ${TITLES[name]}`);
  for (const entry of entries.slice(0, EXAMPLES_PER_CATEGORY)) lines.push(`  ${entry.legacyId}  ${detail(name, entry as unknown as Record<string, unknown>)}`);
  if (entries.length > EXAMPLES_PER_CATEGORY) lines.push(`  … and ${entries.length - EXAMPLES_PER_CATEGORY} more (--json lists all)`);
}

/**
 * The human report: counts, then each difference with its size and up to
 * {@link EXAMPLES_PER_CATEGORY} legacy ids (ids only: no emails, names or addresses), then the rows
 * the mapping rejects, which are expected to be absent.
 */
export function formatReconcileReport(report: ReconcileReport): string {
  const c = report.counts;
  const byRule = Object.entries(c.sourceRejectedByRule).map(([rule, count]) => `${rule} ${count}`).join(', ');
  const lines = [
    `reconcile job ${report.job} (environment ${report.environmentId})`,
    `  source   ${c.sourceEligible} eligible, ${c.sourceRejected} rejected by the mapping${byRule ? ` (${byRule})` : ''}`,
    `  ledger   ${c.ledgerEntries} entries, ${c.ledgerMigrated} migrated`,
    `  Dynamic  ${c.targetUsers} users listed, ${c.targetWithoutLegacyId} without a legacy id (ignored)`,
    `  agreeing ${c.agreeing}`,
    ...report.warnings.map((warning) => `  warning: ${warning}`),
  ];
  for (const category of REPORT_CATEGORIES) section(lines, category, report[category]);
  section(lines, 'expectedAbsent', report.expectedAbsent);
  const expected = c.sourceRejected > 0 ? ` (the ${c.sourceRejected} row(s) the mapping rejects are absent, as expected)` : '';
  lines.push('', report.agree ? `source, ledger and Dynamic agree${expected}` : 'differences found (exit 3)');
  return lines.join('\n');
}
