import type { CheckReport, CoverageEntry, SampleIssueGroup, SampleReport } from './check-report.js';

/**
 * The text report of `dynamic-migrate check`: tables, structural problems, then the sample's
 * coverage, rejects and warnings, and a verdict line with the exit code. Pure.
 */
export function formatCheckReport(report: CheckReport): string {
  const lines = [`Checking ${report.mapping} against ${report.source}`, '', 'Tables'];
  const width = Math.max(...report.tables.map((table) => table.table.length));
  for (const table of report.tables) {
    const found = table.resolved === null ? 'MISSING' : `${table.resolved}, ${table.columns} columns`;
    lines.push(`  ${table.table.padEnd(width)}  ${found}  (${table.usedBy.join(', ')})`);
  }
  lines.push(`  ${report.columnsChecked} column references checked`, '');

  const errors = report.problems.filter((problem) => problem.severity === 'error');
  const warnings = report.problems.filter((problem) => problem.severity === 'warning');
  if (report.problems.length === 0) lines.push('Schema: ok', '');
  else {
    lines.push(`Schema: ${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}`);
    for (const problem of [...errors, ...warnings]) lines.push(`  ${problem.severity.padEnd(7)}  ${problem.message}`);
    lines.push('');
  }

  if (report.sample) lines.push(...formatSample(report.sample));
  else lines.push(report.sound ? 'Sample: skipped (--sample 0)' : 'Sample: skipped until the schema problems are fixed', '');
  lines.push(verdict(report));
  return `${lines.join('\n')}\n`;
}

function formatSample(sample: SampleReport): string[] {
  const lines = [
    `Sample: the first ${count(sample.read, 'row')} in key order (--sample ${sample.requested}); ${sample.mapped} map cleanly, ${sample.rejected} would be rejected`,
    '',
    `Coverage (users with a value, of the ${sample.mapped} that map cleanly)`,
    ...table('fields', sample.fields),
    ...table('metadata', sample.metadata),
    `  wallets         ${sample.wallets.users} users, ${count(sample.wallets.total, 'wallet')}${breakdown(sample.wallets.byChain)}`,
    `  oauthAccounts   ${sample.oauthAccounts.users} users, ${count(sample.oauthAccounts.total, 'account')}${breakdown(sample.oauthAccounts.byProvider)}`,
    '',
  ];
  lines.push(...groups('Rejects', sample.rejects), ...groups('Dropped values (the user is sent without them)', sample.dropped), ...groups('Warnings', sample.warnings));
  return lines;
}

function table(title: string, entries: readonly CoverageEntry[]): string[] {
  if (entries.length === 0) return [];
  const width = Math.max(...entries.map((entry) => entry.name.length));
  const digits = Math.max(...entries.map((entry) => String(entry.count).length));
  return [`  ${title}`, ...entries.map((entry) => `    ${entry.name.padEnd(width)}  ${String(entry.count).padStart(digits)}  ${entry.percent.toFixed(1).padStart(5)}%`)];
}

function breakdown(entries: readonly CoverageEntry[]): string {
  return entries.length === 0 ? '' : `: ${entries.map((entry) => `${entry.name} ${entry.count}`).join(', ')}`;
}

function groups(title: string, list: readonly SampleIssueGroup[]): string[] {
  if (list.length === 0) return [`${title}: none`, ''];
  const lines = [`${title} (by field and rule)`];
  for (const group of list) {
    const examples = group.examples.map((example) => (example.value === undefined ? example.legacyId : `${example.legacyId} (${example.value})`));
    lines.push(`  ${group.field} ${group.rule}: ${count(group.rows, 'row')}, e.g. ${examples.join(', ')}`);
    if (group.message) lines.push(`    ${group.message}`);
  }
  lines.push('');
  return lines;
}

function verdict(report: CheckReport): string {
  if (!report.sound) return `Result: the mapping does not fit the database (exit ${report.exitCode})`;
  if (report.exitCode === 3) return `Result: the mapping is sound, but ${count(report.sample?.rejected ?? 0, 'sampled row')} would be rejected (exit 3)`;
  return `Result: the mapping is sound${report.sample ? ' and every sampled row maps' : ''} (exit 0)`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
