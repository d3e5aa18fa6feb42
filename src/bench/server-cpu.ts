import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';

/**
 * CPU seconds the PostgreSQL server has used, from /proc: the postmaster's own time plus that of
 * the backends it has reaped (a connection's backend exits when it closes, and its time then
 * counts here). Read before and after a run whose connections are all closed, the difference is
 * what serving it cost the database. Undefined when the server is not on this machine (no such
 * process, or no /proc).
 */
export async function serverCpuSeconds(databaseUrl: string): Promise<number | undefined> {
  const pid = await postmasterPid(databaseUrl);
  const postmaster = pid === undefined ? undefined : procStat(pid);
  return postmaster && (postmaster.ownTicks + postmaster.reapedChildTicks) / CLOCK_TICKS_PER_SECOND;
}

/** The PostgreSQL server's postmaster, when it runs on this machine (else undefined). */
export async function postmasterPid(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const backendPid = Number((await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid);
    // Read while connected: the backend is gone once the connection closes.
    return procStat(backendPid)?.parentPid;
  } finally {
    await client.end();
  }
}

/** CPU seconds (user + system, all threads) a live process has used so far; undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat && stat.ownTicks / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds of the PostgreSQL server so far, live backends included: the postmaster's own and
 * reaped time plus that of each process it has now (a scan of /proc). Differences of two readings
 * are what the server spent in between, give or take a backend that exited in between.
 */
export function serverTreeCpuSeconds(postmaster: number): number | undefined {
  const root = procStat(postmaster);
  if (!root) return undefined;
  let ticks = root.ownTicks + root.reapedChildTicks;
  for (const pid of childPids(postmaster)) {
    const stat = procStat(pid);
    if (stat?.parentPid === postmaster) ticks += stat.ownTicks;
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** The children of `pid`: one file when the kernel keeps the list (CONFIG_PROC_CHILDREN), else a scan of /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
  }
}

/** The whole machine's CPU time so far, busy and in all, in seconds of one core (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal ...
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND };
}

/** USER_HZ: 100 on every Linux architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function procStat(pid: number): { parentPid: number; ownTicks: number; reapedChildTicks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields count from after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  const at = (field: number) => fields[field - 3] ?? 0;
  return { parentPid: at(4), ownTicks: at(14) + at(15), reapedChildTicks: at(16) + at(17) };
}
