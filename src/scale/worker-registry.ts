import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { StateSql } from '../checkpoint/state-sql.js';
import { CheckpointError } from '../errors.js';

/** A live worker as `status` shows it. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  /** The local address its requests leave from; null: the system's choice. */
  address: string | null;
  chunk: number | null;
  requestsLastMinute: number;
  usersLastMinute: number;
  /** Seconds since its last heartbeat, by the state database's clock. */
  seenSecondsAgo: number;
}

/** How often a worker publishes its rate, and how long one that stopped publishing still counts as live. */
const HEARTBEAT_MS = 5_000;
const LIVE_WITHIN_SECONDS = 30;

/** Counts events of the last minute (requests sent, users settled) for the heartbeat. */
export class MinuteMeter {
  private readonly events: Array<{ at: number; count: number }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  add(count = 1): void {
    this.events.push({ at: this.now(), count });
  }

  lastMinute(): number {
    const since = this.now() - 60_000;
    while ((this.events[0]?.at ?? Infinity) < since) this.events.shift();
    return this.events.reduce((sum, event) => sum + event.count, 0);
  }
}

/** This process in the job's `workers` table, its row refreshed every {@link HEARTBEAT_MS}. */
export interface WorkerRegistration {
  readonly requests: MinuteMeter;
  readonly users: MinuteMeter;
  /** The chunk it works on now (null: between chunks). */
  working(chunk: number | null): void;
  /** Marks the row stopped; a worker that is killed simply stops being seen. */
  stop(): Promise<void>;
}

/**
 * Registers this process as a worker of the job. Heartbeats that fail (the state database
 * restarting) are skipped, not fatal: the worker's real work goes through the queue and the
 * checkpoint, which have their own recovery.
 */
export async function registerWorker(sql: StateSql, options: { address: string | undefined; now?: () => number }): Promise<WorkerRegistration> {
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const requests = new MinuteMeter(options.now);
  const users = new MinuteMeter(options.now);
  let chunk: number | null = null;
  await sql.run('insert into workers (id, host, pid, address) values (?, ?, ?, ?)', id, hostname(), process.pid, options.address ?? null);
  const beat = () => sql.run(
    'update workers set seen_at = now(), chunk = ?, requests_last_minute = ?, users_last_minute = ? where id = ?',
    chunk, requests.lastMinute(), users.lastMinute(), id,
  ).catch(() => 0);
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    requests,
    users,
    working(next) {
      chunk = next;
      void beat();
    },
    async stop() {
      clearInterval(heartbeat);
      await sql.run('update workers set stopped_at = now(), seen_at = now(), chunk = null, requests_last_minute = 0, users_last_minute = 0 where id = ?', id).catch(() => 0);
    },
  };
}

/** The workers seen within {@link LIVE_WITHIN_SECONDS} that have not stopped, host order. */
export async function liveWorkers(sql: StateSql): Promise<WorkerRow[]> {
  const rows = await sql.all<{ id: string; host: string; pid: number; address: string | null; chunk: number | null; requests_last_minute: number; users_last_minute: number; seen: string }>(
    `select id, host, pid, address, chunk, requests_last_minute, users_last_minute, extract(epoch from now() - seen_at)::float8 as seen
      from workers where stopped_at is null and seen_at > now() - make_interval(secs => ?) order by host, pid`,
    LIVE_WITHIN_SECONDS,
  );
  return rows.map((row) => ({
    id: row.id, host: row.host, pid: row.pid, address: row.address, chunk: row.chunk,
    requestsLastMinute: row.requests_last_minute, usersLastMinute: row.users_last_minute, seenSecondsAgo: Math.round(Number(row.seen)),
  }));
}

/**
 * Refuses while any worker of the job is live: workers hold no run lock while they work their
 * chunks, so the lock alone would let a rollback or reset pull the job from under them. A worker
 * that was killed counts as live until {@link LIVE_WITHIN_SECONDS} after its last heartbeat.
 * @throws CheckpointError `job_locked` (exit 2) naming the live workers' hosts and pids.
 */
export async function refuseLiveWorkers(sql: StateSql, job: string, doing: string): Promise<void> {
  const live = await liveWorkers(sql);
  if (live.length === 0) return;
  const who = live.map((worker) => `${worker.host} pid ${worker.pid}`).join(', ');
  throw new CheckpointError(
    `job "${job}" has ${live.length} live worker(s) (${who}): stop them before ${doing} (a killed worker counts as live for ${LIVE_WITHIN_SECONDS} s after its last heartbeat)`,
    { code: 'job_locked', exitCode: 2 },
  );
}
