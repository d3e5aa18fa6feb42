import type { SampleIssueGroup } from '../check/check-report.js';
import { VERIFIED_EMAIL } from './coverage-tally.js';
import { html } from './escape-html.js';
import type { SafeHtml } from './escape-html.js';
import type { ReportJson, ReportTotals } from './report-json.js';
import { columnChart, percentBars } from './svg-charts.js';

/** Words a data owner uses for the payload's field names. */
const FIELD_LABELS: Record<string, string> = {
  email: 'Email',
  [VERIFIED_EMAIL]: 'Verified email',
  username: 'Username',
  firstName: 'First name',
  lastName: 'Last name',
  phoneNumber: 'Phone',
  country: 'Country',
  jobTitle: 'Job title',
  emailVerifiedAt: 'Email verified at',
  newsletterNotification: 'Newsletter opt-in',
  wallet: 'Wallet',
  'wallets[*].chain': 'Wallet chain',
  'wallets[*].publicWalletAddress': 'Wallet address',
  'wallets[*].walletProvider': 'Wallet provider',
  'oauthAccounts[*].provider': 'Sign-in provider',
  'oauthAccounts[*].accountId': 'Sign-in account id',
  oauth: 'Sign-in account',
};
/** `emailVerifiedAt` alone is "Verified email" without the email: one bar for both reads better (report.json keeps both). */
const SHOWN_AS_VERIFIED_EMAIL = new Set(['emailVerifiedAt']);
const label = (field: string) => FIELD_LABELS[field] ?? field;
const n = (value: number) => value.toLocaleString('en-US');

interface TotalLine {
  key: keyof ReportTotals;
  label: string;
  color: string;
  /** Shown only when non-zero (rare outcomes). */
  optional?: boolean;
}

function totalLines(dryRun: boolean): TotalLine[] {
  const would = (verb: string) => (dryRun ? `Would ${verb}` : `${verb[0]?.toUpperCase()}${verb.slice(1)}d`);
  return [
    { key: 'eligible', label: 'Eligible', color: '#7b8794' },
    { key: 'create', label: would('create'), color: '#2e8b57' },
    { key: 'update', label: would('update'), color: '#2f6fb0' },
    { key: 'unchanged', label: 'Unchanged', color: '#9aa5b1' },
    { key: 'rejected', label: 'Rejected', color: '#c0392b' },
    { key: 'failed', label: 'Failed', color: '#e67e22' },
    { key: 'alreadyExisted', label: 'Already existed', color: '#8e6bbf' },
    { key: 'alreadySettled', label: 'Done earlier', color: '#b0b8c4', optional: true },
    { key: 'inDoubt', label: 'In doubt', color: '#d4a017', optional: true },
  ];
}

/** The totals as cards (with `data-total` for machines and tests) and a column chart. */
export function totalsSection(report: ReportJson): SafeHtml {
  const lines = totalLines(report.dryRun).filter((line) => !line.optional || report.totals[line.key] > 0);
  const cards = lines.map((line) => html`<div class="total" data-total="${line.key}"><span class="n">${n(report.totals[line.key])}</span><span class="what">${line.label}</span></div>`);
  const chart = columnChart(lines.map((line) => ({ label: line.label, value: report.totals[line.key], color: line.color })), 'Totals');
  const caveat = report.dryRun && report.target
    ? html`<p class="hint">“Would create” counts every user that would be sent; “Compared with Dynamic” below says which of them Dynamic already holds.</p>`
    : report.dryRun
    ? html`<p class="hint">A dry run does not ask Dynamic, so users who are already there are counted under “Would create”; a real run reports them as “Already existed”.</p>`
    : html``;
  return html`<section id="totals"><h2>Totals</h2><div class="totals">${cards}</div>${chart}${caveat}</section>`;
}

/** Coverage as horizontal bars: fields, metadata, wallets by chain, OAuth accounts by provider. */
export function coverageSection(report: ReportJson): SafeHtml {
  const { coverage } = report;
  const bars = (entries: ReportJson['coverage']['fields'], title: string, color?: string) =>
    entries.length === 0
      ? html`<p class="hint">None.</p>`
      : percentBars(entries.map((entry) => ({ label: label(entry.name), count: entry.count, percent: entry.percent })), title, color);
  return html`<section id="coverage"><h2>What the users get</h2>
<p>Of the <strong>${n(coverage.mapped)}</strong> users that map cleanly, how many get each value.</p>
<h3>Profile fields</h3>${bars(coverage.fields.filter((entry) => !SHOWN_AS_VERIFIED_EMAIL.has(entry.name)), 'Profile fields')}
<h3>Metadata</h3>${bars(coverage.metadata, 'Metadata keys', '#5b7fa3')}
<h3>Wallets by chain</h3><p class="hint">${n(coverage.wallets.users)} users get ${n(coverage.wallets.total)} wallets; shares of all wallets.</p>${bars(coverage.wallets.byChain, 'Wallets by chain', '#2e8b57')}
<h3>Sign-in accounts by provider</h3><p class="hint">${n(coverage.oauthAccounts.users)} users get ${n(coverage.oauthAccounts.total)} accounts; shares of all accounts.</p>${bars(coverage.oauthAccounts.byProvider, 'OAuth accounts by provider', '#8e6bbf')}
</section>`;
}

/** Reject reasons or warnings, most rows first, with example row ids (and masked values). */
export function issuesTable(groups: readonly SampleIssueGroup[], id: string, empty: string): SafeHtml {
  if (groups.length === 0) return html`<p class="hint" id="${id}-none">${empty}</p>`;
  const rows = groups.map(
    (group) => html`<tr data-field="${group.field}" data-rule="${group.rule}"><td>${label(group.field)}</td><td>${group.rule}</td><td class="num">${n(group.rows)}</td><td title="${group.message}">${plainMessage(group.message)}</td>
<td class="examples">${group.examples.map((example) => html`<code>#${example.legacyId}${example.value === undefined ? '' : `: ${example.value}`}</code> `)}</td></tr>`,
  );
  return html`<table id="${id}"><thead><tr><th>Field</th><th>Rule</th><th class="num">Rows</th><th>Why</th><th>Example rows</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The message without the trailing regular expression: "does not match email pattern" reads better (the full message is the cell's tooltip). */
function plainMessage(message: string): string {
  return message.replace(/\s+(\^\S.*\$|\(\^.*\$\))$/, '').trim() || message;
}

export function failuresTable(report: ReportJson): SafeHtml {
  if (report.failures.length === 0) return html``;
  const rows = report.failures.map((group) => html`<tr><td>${group.code}</td><td class="num">${n(group.count)}</td><td class="examples">${group.examples.map((id) => html`<code>#${id}</code> `)}</td></tr>`);
  return html`<section id="failures"><h2>Refused by Dynamic</h2><table><thead><tr><th>Error</th><th class="num">Users</th><th>Example rows</th></tr></thead><tbody>${rows}</tbody></table>
<p class="hint">The reasons, per user, are in failed.jsonl next to this report.</p></section>`;
}

export function duplicatesSection(report: ReportJson): SafeHtml {
  const { available, clusters, total } = report.duplicates;
  const more = total > clusters.length ? html`<p class="hint">The ${n(clusters.length)} biggest of ${n(total)} clusters.</p>` : html``;
  const note = report.duplicates.note ? html`<p class="hint" id="duplicates-note">${report.duplicates.note}</p>` : html``;
  const body = !available
    ? html`<p class="hint" id="duplicates-none">Duplicate detection did not run for this report.</p>`
    : clusters.length === 0
      ? report.duplicates.note
        ? html`<p id="duplicates-none">No duplicates found among the identities compared.</p>`
        : html`<p id="duplicates-none">No duplicates found: no two users share an email, username, wallet or sign-in account.</p>`
      : html`<table id="duplicates-table"><thead><tr><th>Shared</th><th>Value (masked)</th><th class="num">Users</th><th>Source rows</th><th>What happens</th></tr></thead><tbody>${clusters.map(
          (cluster) => html`<tr><td>${label(cluster.kind)}</td><td><code>${cluster.key}</code></td><td class="num">${n(cluster.rows)}</td><td class="examples">${cluster.legacyIds.map((id) => html`<code>#${id}</code> `)}</td><td>${cluster.resolution ?? ''}</td></tr>`,
        )}</tbody></table>`;
  return html`<section id="duplicates"><h2>Duplicates</h2>
<p class="hint">Users of the source that share an email, username, wallet or sign-in account: Dynamic would not accept them side by side.</p>${body}${more}${note}${usernameChangesTable(report)}</section>`;
}

/** Rows of the username changes shown; report.json lists them all. */
const MAX_SHOWN_CHANGES = 500;

function usernameChangesTable(report: ReportJson): SafeHtml {
  const changes = report.usernameChanges;
  if (changes.length === 0) return html``;
  const shown = changes.slice(0, MAX_SHOWN_CHANGES);
  const more = changes.length > shown.length ? html`<p class="hint">The first ${n(shown.length)} of ${n(changes.length)}; report.json lists every one.</p>` : html``;
  return html`<h3>Usernames changed (duplicates.usernames)</h3>
<table id="username-changes"><thead><tr><th>Source row</th><th>Sent as</th><th>The username is kept by</th></tr></thead><tbody>${shown.map(
    (change) => html`<tr><td><code>#${change.legacyId}</code></td><td>${change.to === null ? 'no username' : html`<code>${change.to}</code>`}</td><td><code>#${change.keptBy}</code></td></tr>`,
  )}</tbody></table>${more}`;
}

export function samplesSection(report: ReportJson): SafeHtml {
  const items = report.samples.map(
    (sample) => html`<details><summary>Row #${sample.legacyId}${sample.outcome ? ` · ${sample.outcome.replace(/_/g, ' ')}` : ''}</summary><pre>${JSON.stringify(sample.payload, null, 2)}</pre></details>`,
  );
  return html`<section id="samples"><h2>Sample users</h2>
<p class="hint">${report.samples.length} users picked at random, as they would be sent. Personal values are masked: <code>j…m (17 chars)</code> is a 17-character value starting with “j” and ending with “m”.</p>
${items.length === 0 ? html`<p class="hint">No user mapped cleanly.</p>` : items}</section>`;
}
