/** Renders the bench results (as main.ts collects them) as a plain-text table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a loosely shaped JSON record
export function formatBenchTable(r: Record<string, any>): string {
  const n = (v: unknown, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(v ?? '-'));
  const rows: [string, string][] = [];
  const m = r.machine;
  rows.push(['machine', `${m.cores} cores (${m.cpu}), ${m.memoryGB} GB, node ${m.node}`]);
  rows.push(['data', `${n(r.seed.users)} users, ${n(r.seed.wallets)} wallets, ${n(r.seed.identities)} identities (seeded in ${n(r.seed.seconds, 1)} s)`]);
  const d = r.dryRun;
  if (d) rows.push(['(a) dry run', `${n(d.usersPerSecond)} users/s (${n(d.users)} in ${n(d.seconds, 1)} s, ${n(d.rejected)} rejected; process ${n(d.processSeconds, 1)} s with start-up); peak RSS ${n(d.peakRssMB)} MB (VmHWM)`]);
  if (d?.cpuSeconds) {
    // What one user costs in CPU, and what that allows when every core works: the ceiling of this machine.
    const perUser = (seconds: number) => (seconds / d.users) * 1e6;
    const total = d.cpuSeconds + (d.serverCpuSeconds ?? 0);
    rows.push(['(a) CPU per user', `node ${n(perUser(d.cpuSeconds), 1)} µs (all threads, start-up included)` +
      (d.serverCpuSeconds === undefined ? '; PostgreSQL not on this machine' : `, PostgreSQL ${n(perUser(d.serverCpuSeconds), 1)} µs`) +
      `: with all ${m.cores} cores busy, at most ${n((m.cores * d.users) / total)} users/s`]);
  }
  const w = r.dryRunWorkers;
  if (w) rows.push([`(a') dry run, ${w.workers} workers`, `${n(w.usersPerSecond)} users/s (${n(w.users)} in ${n(w.seconds, 1)} s); peak RSS ${n(w.peakRssMB)} MB (VmHWM)`]);
  if (r.endToEnd) {
    const e = r.endToEnd;
    rows.push(['(b) e2e, limit off', `${n(e.usersPerSecond)} users/s (${n(e.created)} created in ${n(e.seconds, 1)} s; emulator in its own process)`]);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
  const rate = (label: string, x: Record<string, any> | undefined) => {
    if (!x) return;
    rows.push([label, `server ${x.server}/min, client ${x.client}/min, batch ${x.batchSize}, ${x.windows} windows (${n(x.realSeconds, 1)} s real): ` +
      `${n(x.accepted)} accepted = ${n(x.fractionOfServerLimit * 100, 1)}% of the limit; ${n(x.rateLimited)} x 429; ` +
      `per window accepted [${x.acceptedPerWindow.join(', ')}], 429s [${x.rateLimitedPerWindow.join(', ')}]; ` +
      (x.adaptedAfterWindows > 0 ? `429s stopped after ${x.adaptedAfterWindows} window(s)` : 'no 429 in any window') +
      (x.limitChanges?.length ? `; client: ${x.limitChanges.join(' | ')}` : '')]);
  };
  rate('(c) at the limit', r.atLimit);
  rate('(d) server < client, headers', r.belowClient);
  rate("(d') server < client, no headers", r.belowClientNoHeaders);
  if (r.incremental) {
    const i = r.incremental;
    rows.push(['(e) incremental 1%', `${n(i.seconds, 2)} s total, ${n(i.secondsBeforeFirstRequest, 2)} s before the first request; ${n(i.rowsChanged)} changed, ` +
      `${n(i.rowsExtracted)} extracted (${i.phase}), ${n(i.updated)} updated; users tuples read: ${n(i.usersTuplesRead.index)} via index, ${n(i.usersTuplesRead.seq)} by seq scan (${i.usersTuplesRead.seqScans} seq scans)`]);
  }
  if (r.naiveDryRun && d) {
    rows.push(['(f) naive dry run', `${n(r.naiveDryRun.usersPerSecond)} users/s (${n(r.naiveDryRun.seconds, 1)} s); pipeline is ${n(d.usersPerSecond / r.naiveDryRun.usersPerSecond, 1)}x`]);
  }
  if (r.naiveEndToEnd && r.endToEnd) {
    rows.push(['(f) naive e2e, limit off', `${n(r.naiveEndToEnd.usersPerSecond)} users/s (${n(r.naiveEndToEnd.seconds, 1)} s); pipeline is ${n(r.endToEnd.usersPerSecond / r.naiveEndToEnd.usersPerSecond, 1)}x`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)} | ${v}`).join('\n');
}
