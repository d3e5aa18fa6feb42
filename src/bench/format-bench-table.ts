/** Renders the bench results (as main.ts collects them) as a plain-text table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a loosely shaped JSON record
export function formatBenchTable(r: Record<string, any>): string {
  const n = (v: unknown, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(v ?? '-'));
  const rows: [string, string][] = [];
  const m = r.machine;
  rows.push(['machine', `${m.cores} cores (${m.cpu}), ${m.memoryGB} GB, node ${m.node}`]);
  rows.push(['data', `${n(r.seed.users)} users, ${n(r.seed.wallets)} wallets, ${n(r.seed.identities)} identities, ${n(r.seed.profiles)} profiles (seeded in ${n(r.seed.seconds, 1)} s)`]);
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
  const l = r.dryRunLookup;
  if (l) rows.push(["(a'') dry run + lookup", `${n(l.usersPerSecond)} users/s (${n(l.users)} in ${n(l.seconds, 1)} s) = ${n(l.ofPlain * 100, 1)}% of (a); peak RSS ${n(l.peakRssMB)} MB (VmHWM)`]);
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
  rate("(c') 5% spurious 429s", r.noise);
  if (r.noise) rows.push(["(c') target", `>= 90% of the limit over ${r.noise.windows} windows: ${r.noise.fractionOfServerLimit >= 0.9 ? 'met' : 'NOT met'} (${n(r.noise.spurious)} spurious 429s)`]);
  rate('(d) server < client, headers', r.belowClient);
  if (r.belowClient) rows.push(['(d) target', `exactly the announced limit: ${r.belowClient.acceptedPerWindow.slice(1).every((a: number) => a <= r.belowClient.server) && r.belowClient.rateLimitedPerWindow.slice(1).every((x: number) => x === 0) ? 'met' : 'NOT met'}`]);
  rate("(d') server < client, no headers", r.belowClientNoHeaders);
  const d2 = r.belowClientNoHeaders;
  if (d2) {
    const later = d2.acceptedPerWindow.slice(2);
    const fraction = later.reduce((a: number, b: number) => a + b, 0) / (d2.server * later.length);
    const only429sEarly = d2.rateLimitedPerWindow.slice(2).every((x: number) => x === 0);
    rows.push(["(d') target", `>= 90% of the server's limit from the third window on: ${n(fraction * 100, 1)}%; 429s only in the first two windows: ${only429sEarly ? 'yes' : 'NO'}`]);
  }
  if (r.restart) {
    const x = r.restart;
    rows.push(['(g) restart', `${x.perMinute}/min, batch ${x.batchSize} (${n(x.realSeconds, 1)} s real): first run accepted [${x.first.acceptedPerWindow.join(', ')}], killed 1.5 windows in; ` +
      `restarted 10 s later: ${n(x.restarted.rateLimited)} x 429, accepted per window [${x.restarted.acceptedPerWindow.join(', ')}], ` +
      `${n(x.fractionFromSecondWindow * 100, 1)}% of the limit from its second window on`]);
    rows.push(['(g) target', `0 x 429 from the restarted run and >= 95% from its second window: ${x.restarted.rateLimited === 0 && x.fractionFromSecondWindow >= 0.95 ? 'met' : 'NOT met'}`]);
  }
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
