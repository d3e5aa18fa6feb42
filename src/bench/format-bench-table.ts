/** Renders the bench results (as main.ts collects them) as a plain-text table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a loosely shaped JSON record
export function formatBenchTable(r: Record<string, any>): string {
  const n = (v: unknown, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(v ?? '-'));
  const rows: [string, string][] = [];
  const m = r.machine;
  rows.push(['machine', `${m.cores} cores (${m.cpu}), ${m.memoryGB} GB, node ${m.node}`]);
  if (r.seed) rows.push(['data', `${n(r.seed.users)} users, ${n(r.seed.wallets)} wallets, ${n(r.seed.identities)} identities, ${n(r.seed.profiles)} profiles (seeded in ${n(r.seed.seconds, 1)} s)`]);
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
  const table = rows.map(([k, v]) => `${k.padEnd(width)} | ${v}`).join('\n');
  return r.scaleOut ? `${table}\n\n${formatScaleOut(r.scaleOut)}` : table;
}

/** The scale-out scenario (issue 17) as a table of its own: one line per number of processes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
function formatScaleOut(s: Record<string, any>): string {
  const n = (v: unknown, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
  const header = ['N', 'users', 'wall s (scaled min)', 'steady min', 'users/min', 'target users/min', 'fraction', '429 ip/env', 'peak/IP window', 'sends/proc', 'CPU s/1k users: N procs, emulator, PG', 'machine busy'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
  const lines: string[][] = s.runs.map((x: Record<string, any>) => [
    String(x.workers), x.users === x.eligibleUsers ? n(x.users) : `${n(x.users)} of ${n(x.eligibleUsers)}!`, `${n(x.wallSeconds, 1)} (${n(x.wallMinutes, 2)})`, n(x.steadyMinutes, 2), n(x.usersPerMinute),
    `${n(x.targetUsersPerMinute)} (${x.allowedPerMinute} req)`, `${n(x.fraction * 100, 1)}%`, `${x.ipRateLimited}/${x.environmentRateLimited}`,
    String(x.peakPerIpWindow), x.sendsPerProcess ? `${x.sendsPerProcess.min}-${x.sendsPerProcess.max}` : '-', `${n(x.cpuPerThousand.workers, 3)}, ${n(x.cpuPerThousand.emulator, 3)}, ${n(x.cpuPerThousand.postgres, 3)}`,
    x.machineBusy === undefined ? '-' : `${n(x.machineBusy * 100)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]?.length ?? 0)));
  const render = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
  const met = s.runs.every((x: Record<string, any>) => x.fraction >= 0.9 && x.ipRateLimited === 0 && x.environmentRateLimited === 0 && x.users === x.eligibleUsers);
  // Each user is sent by one process, so the N processes' CPU per user is what one worker costs per
  // user; the highest of the runs (more processes, more contention for the 2 cores) is the one quoted.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
  const measured = s.runs.filter((x: Record<string, any>) => Number.isFinite(x.cpuPerThousand.workers));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
  const worst = measured.reduce((a: Record<string, any> | undefined, x: Record<string, any>) => (a && a.cpuPerThousand.workers >= x.cpuPerThousand.workers ? a : x), undefined);
  const cpu: number | undefined = worst?.cpuPerThousand.workers;
  // One worker in real time sends at most L bulk requests a minute, 50 users each: at Dynamic's 150/min, 125 users/s.
  const realUsersPerSecond = (150 * 50) / 60;
  const coreShare = cpu === undefined ? undefined : (realUsersPerSecond / 1000) * cpu;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same loose record
  const peakRss = Math.max(0, ...s.runs.map((x: Record<string, any>) => x.peakRssMB ?? 0));
  return [
    `(h) scale-out: L ${s.perIpPerMinute}/min per IP, E ${s.environmentPerMinute}/min, clock x${s.factor} (a scaled minute is ${n(60 / s.factor, 1)} s); ` +
      'users/min over the steady part (whole scaled minutes from when enough processes send to reach min(N x L, E) until the first one is done); ' +
      'sends/proc: fewest-most bulk requests of one process in it',
    render(header),
    render(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...lines.map(render),
    `(h) target: >= 90% of min(N x L, E) at every N, 0 x 429 (and every eligible user stored once): ${met ? 'met' : 'NOT met'}`,
    cpu === undefined ? '(h) CPU per worker: not measured (no /proc)'
      : `(h) CPU per worker: ${measured.map((x: { workers: number; cpuPerThousand: { workers: number } }) => `${n(x.cpuPerThousand.workers, 3)} s (N = ${x.workers})`).join(', ')} per 1,000 users in the steady part; ` +
        `at Dynamic's 150/min per IP one worker sends ${n(realUsersPerSecond)} users/s, which at the highest (${n(cpu, 3)} s) is ${n(coreShare! * 100, 1)}% of one core: ` +
        `a 2-core machine could host about ${n(Math.floor(2 / coreShare!))} workers by CPU alone (each its own IP; PostgreSQL and Dynamic elsewhere), at up to ${n(peakRss)} MB resident each`,
  ].join('\n');
}
