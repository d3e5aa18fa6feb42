import { open, type FileHandle } from 'node:fs/promises';
import { coalesceRuns } from '../shared/coalesce-runs.js';

/** Makes the checkpoint's committed writes durable without blocking the event loop. */
export interface WalSync {
  /** Resolves once every transaction committed before the call is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `fdatasync` of the SQLite WAL file on libuv's thread pool. The database runs with
 * `synchronous = NORMAL`, so a commit only writes the WAL; awaiting `sync()` afterwards gives what
 * `synchronous = FULL` gives (the transaction survives a power cut) while the pipeline's one thread
 * keeps working, and callers that arrive while a sync runs share the next one (group commit).
 * SQLite never locks the WAL file itself (WAL locks live in the -shm file), so holding our own
 * descriptor to it is harmless.
 */
export function createWalSync(walPath: string): WalSync {
  let handle: Promise<FileHandle | undefined> | undefined;
  let last: Promise<void> | undefined;

  const fileHandle = () =>
    (handle ??= open(walPath, 'r+').catch((error: NodeJS.ErrnoException) => {
      // No WAL yet means nothing was written since the last checkpoint, which SQLite synced itself.
      if (error.code === 'ENOENT') {
        handle = undefined;
        return undefined;
      }
      throw error;
    }));
  const syncOnce = coalesceRuns(async () => {
    await (await fileHandle())?.datasync();
  });
  return {
    sync() {
      last = syncOnce();
      return last;
    },
    async close() {
      await last?.catch(() => undefined); // each run waits for the one before it
      const file = await handle?.catch(() => undefined);
      handle = undefined;
      await file?.close();
    },
  };
}
