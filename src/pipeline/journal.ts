import type { Rejection } from '../mapping/index.js';
import type { UserOutcome } from '../load/index.js';

/** A user outcome plus the hash of the payload that produced it, as the ledger keeps it. */
export type SettledOutcome = UserOutcome & { payloadHash?: string };

/**
 * What the pipeline needs from the checkpoint store. A real run journals to the job's SQLite file;
 * a dry run uses {@link memoryJournal}, so both walk the same code path.
 */
export interface Journal {
  /** Where to start, and the keys of batches that were sent but never settled (in doubt). */
  resumePoint(): Promise<{ cursor: string | null; inDoubtKeys: Set<string> }>;
  /** Which of these keys already have a settled outcome (settled out of order by an earlier run). */
  settledKeys(keys: string[]): Promise<Set<string>>;
  plan(batch: { firstKey: string; lastKey: string; sendKeys: string[]; upsert: boolean }): Promise<number>;
  markSent(seq: number): Promise<void>;
  settle(seq: number, outcomes: SettledOutcome[], rejections: Rejection[]): Promise<void>;
}

/** A journal that remembers nothing: dry runs never touch a job's checkpoint. */
export function memoryJournal(): Journal {
  let seq = 0;
  return {
    resumePoint: async () => ({ cursor: null, inDoubtKeys: new Set() }),
    settledKeys: async () => new Set(),
    plan: async () => ++seq,
    markSent: async () => {},
    settle: async () => {},
  };
}
