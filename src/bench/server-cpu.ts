import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * CPU seconds the PostgreSQL server has used, from /proc: the postmaster's own time plus that of
 * the backends it has reaped (a connection's backend exits when it closes, and its time then
 * counts here). Read before and after a run whose connections are all closed, the difference is
 * what serving it cost the database. Undefined when the server is not on this machine (no such
 * process, or no /proc).
 */
export async function serverCpuSeconds(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let postmasterPid: number | undefined;
  try {
    const backendPid = Number((await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid);
    // Read while connected: the backend is gone once the connection closes.
    postmasterPid = procStat(backendPid)?.parentPid;
  } finally {
    await client.end();
  }
  const postmaster = postmasterPid === undefined ? undefined : procStat(postmasterPid);
  return postmaster && (postmaster.ownTicks + postmaster.reapedChildTicks) / CLOCK_TICKS_PER_SECOND;
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
