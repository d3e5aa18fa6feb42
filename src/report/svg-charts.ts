import { html } from './escape-html.js';
import type { SafeHtml } from './escape-html.js';

/** One bar of a column chart. */
export interface ColumnBar {
  label: string;
  value: number;
  /** A CSS colour. */
  color: string;
}

const formatNumber = (value: number) => value.toLocaleString('en-US');

/**
 * A column chart as inline SVG (no script, no external resource): one column per bar, the value
 * above it and the label below, scaled to the largest value. Zero-height columns still show their
 * value, so "0 rejected" reads as a fact rather than a gap.
 */
export function columnChart(bars: readonly ColumnBar[], title: string): SafeHtml {
  const width = 760;
  const height = 260;
  const top = 28;
  const bottom = 48;
  const plot = height - top - bottom;
  const slot = width / Math.max(1, bars.length);
  const barWidth = Math.min(64, slot * 0.6);
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const columns = bars.map((bar, index) => {
    const h = Math.round((bar.value / max) * plot);
    const x = index * slot + (slot - barWidth) / 2;
    const y = top + plot - h;
    const middle = index * slot + slot / 2;
    return html`<g><title>${bar.label}: ${formatNumber(bar.value)}</title>
<rect x="${x.toFixed(1)}" y="${y}" width="${barWidth.toFixed(1)}" height="${Math.max(h, 1)}" rx="3" fill="${bar.color}"/>
<text x="${middle.toFixed(1)}" y="${y - 8}" text-anchor="middle" class="chart-value">${formatNumber(bar.value)}</text>
<text x="${middle.toFixed(1)}" y="${height - bottom + 20}" text-anchor="middle" class="chart-label">${bar.label}</text></g>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">
<line x1="0" y1="${top + plot + 0.5}" x2="${width}" y2="${top + plot + 0.5}" class="chart-axis"/>${columns}</svg>`;
}

/** One horizontal bar: a name, a count and the percentage it stands for. */
export interface PercentBar {
  label: string;
  count: number;
  percent: number;
}

/**
 * Horizontal bars as inline SVG, one per entry: label on the left, a track filled to the
 * percentage, and "94.7% · 890" on the right. Long labels are cut with an ellipsis (the full
 * label is the bar's tooltip).
 */
export function percentBars(entries: readonly PercentBar[], title: string, color = '#2f6fb0'): SafeHtml {
  const rowHeight = 30;
  const labelWidth = 200;
  const trackWidth = 400;
  const width = labelWidth + trackWidth + 150;
  const height = Math.max(1, entries.length) * rowHeight + 4;
  const rows = entries.map((entry, index) => {
    const y = index * rowHeight + 4;
    const filled = Math.max(0, Math.min(100, entry.percent)) * (trackWidth / 100);
    const shown = entry.label.length > 26 ? `${entry.label.slice(0, 25)}…` : entry.label;
    return html`<g><title>${entry.label}: ${entry.percent}% (${formatNumber(entry.count)})</title>
<text x="${labelWidth - 10}" y="${y + 17}" text-anchor="end" class="chart-label">${shown}</text>
<rect x="${labelWidth}" y="${y + 3}" width="${trackWidth}" height="20" rx="3" class="chart-track"/>
<rect x="${labelWidth}" y="${y + 3}" width="${filled.toFixed(1)}" height="20" rx="3" fill="${color}"/>
<text x="${labelWidth + trackWidth + 10}" y="${y + 17}" class="chart-value">${formatPercent(entry.percent)} · ${formatNumber(entry.count)}</text></g>`;
  });
  return html`<svg class="chart bars" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">${rows}</svg>`;
}

function formatPercent(percent: number): string {
  // 99.6% must not read as 100%: one decimal unless the value is whole.
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}
