import { html } from './escape-html.js';
import type { SafeHtml } from './escape-html.js';
import type { ReportJson } from './report-json.js';

const n = (value: number) => value.toLocaleString('en-US');

/**
 * "Compared with Dynamic" (`run --compare-target`): what Dynamic already holds, as counts with
 * `data-target` for machines and tests, and example row ids (never emails or usernames). Empty
 * markup when the run did not compare.
 */
export function targetSection(report: ReportJson): SafeHtml {
  const { target } = report;
  if (!target) return html``;
  const card = (key: 'create' | 'update' | 'conflict', what: string) =>
    html`<div class="total" data-target="${key}"><span class="n">${n(target[key])}</span><span class="what">${what}</span></div>`;
  const examples = (ids: readonly string[]) => (ids.length === 0 ? html`` : html`<p class="examples">Example rows: ${ids.map((id) => html`<code>#${id}</code> `)}</p>`);
  const stopped = target.error !== undefined ? html`<p class="notice">The comparison stopped early: ${target.error}.</p>` : html``;
  const skipped = target.notCompared > 0
    ? html`<p class="hint">${n(target.notCompared)} users that map cleanly were not looked up (no email nor username, or the comparison stopped).</p>`
    : html``;
  const realRun = report.dryRun
    ? html``
    : html`<p class="hint">This was a real run: users it created before their lookup count as “already ours”.</p>`;
  return html`<section id="target"><h2>Compared with Dynamic</h2>
<p>Each of the <strong>${n(target.compared)}</strong> users looked up in Dynamic by email (or username when it has none), read-only.</p>
${stopped}<div class="totals">${card('create', 'New: would be created')}${card('update', 'Already ours: a rerun with --upsert updates them')}${card('conflict', 'Held by someone else')}</div>
<h3>Held by someone else</h3>
<p class="hint">Another Dynamic user (not created from this row) has the email or username. Without <code>--upsert</code> Dynamic refuses these users (email_already_exists, username_already_exists); with <code>--upsert</code> their profile would be overwritten. Settle them before the real run.</p>
${examples(target.examples.conflict)}
<h3>Already ours</h3>${examples(target.examples.update)}
${skipped}${realRun}</section>`;
}
