import type Database from 'better-sqlite3';
import type { SendAnswer, SendJournal, SendRecord } from '../load/index.js';
import { all, run } from './prepared.js';

/**
 * The rate limiter's sends, kept in the job's checkpoint (table `sends`) so that a run restarted
 * seconds after a crash knows what the server's window still holds. Each write is one synchronous
 * autocommitted statement: in WAL mode it is in the file (the OS's cache) when it returns, which
 * is what a kill -9 needs; it is not waited for on disk (a power cut takes longer than a window to
 * recover from). Rows older than `retainMs` are pruned as new ones come.
 */
export function checkpointSendJournal(raw: Database.Database, options: { retainMs: number; now?: () => number }): SendJournal {
  const now = options.now ?? Date.now;
  let sinceSweep = 0;
  const sweep = () => run(raw, 'delete from sends where coalesce(done_at, granted_at) < ?', now() - options.retainMs);
  return {
    recent() {
      sweep();
      return all<{ granted_at: number; done_at: number | null; answer: SendAnswer | null }>(raw, 'select granted_at, done_at, answer from sends order by id')
        .map((row): SendRecord => ({ grantedAt: row.granted_at, doneAt: row.done_at, answer: row.answer }));
    },
    sent(grantedAt) {
      if (++sinceSweep >= 100) {
        sinceSweep = 0;
        sweep();
      }
      return Number(run(raw, 'insert into sends (granted_at) values (?)', grantedAt).lastInsertRowid);
    },
    answered(id, doneAt, answer) {
      run(raw, 'update sends set done_at = ?, answer = ? where id = ?', doneAt, answer, id);
    },
  };
}
