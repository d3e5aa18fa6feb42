/**
 * The report's stylesheet, inlined into the page: system fonts only (no web font to fetch),
 * print-friendly, readable on a laptop screen.
 */
export const REPORT_CSS = `
:root { --ink: #1d2430; --muted: #5b6678; --line: #d9dee7; --soft: #f4f6fa; --accent: #2f6fb0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 28px 24px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; color: var(--muted); }
p { margin: 6px 0; }
.meta { color: var(--muted); margin: 0 0 14px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 13px; font-weight: 600; margin-right: 8px; }
.badge.dry { background: #fff4d6; color: #7a5600; }
.badge.real { background: #dff3e4; color: #1d6b35; }
.notice { border-left: 4px solid #c0392b; background: #fdecea; padding: 8px 12px; margin: 12px 0; }
.lead { font-size: 16px; background: var(--soft); border-radius: 6px; padding: 12px 16px; }
.hint { color: var(--muted); font-size: 13px; }
.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); gap: 10px; margin: 12px 0; }
.total { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.total .n { font-size: 22px; font-weight: 700; display: block; }
.total .what { color: var(--muted); font-size: 13px; }
.chart { width: 100%; height: auto; display: block; margin: 8px 0; }
.chart-label { font-size: 13px; fill: var(--ink); }
.chart-value { font-size: 13px; font-weight: 600; fill: var(--ink); }
.chart-axis { stroke: var(--line); stroke-width: 1; }
.chart-track { fill: var(--soft); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.examples code { background: var(--soft); padding: 0 4px; border-radius: 3px; margin-right: 4px; white-space: nowrap; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
summary { cursor: pointer; font-weight: 600; }
pre { background: var(--soft); padding: 10px; border-radius: 4px; overflow-x: auto; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
@media print { details { break-inside: avoid; } details > * { display: block; } }
`;
