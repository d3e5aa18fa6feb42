import type { BatchPass, JobPhase, LedgerOutcome, LedgerOwner } from '../checkpoint/index.js';
import type { Rejection } from '../mapping/index.js';
import type { SendJournal, UserOutcome } from '../load/index.js';
import type { Identity } from '../load/identity-holders.js';

/** A user outcome plus the hashes of the payload and identities that produced it, as the ledger keeps it. */
export type SettledOutcome = UserOutcome & { payloadHash?: string; identityHash?: string };

/** Where a run starts: the job's phase and cursor, and what an earlier run left in doubt. */
export interface ResumePoint {
  phase: JobPhase;
  /** Full phase: a primary-key value. Incremental phase: a change cursor `["<timestamp>","<key>"]`. */
  cursor: string | null;
  /**
   * Users whose fate is unknown (batches sent but never settled, users an answer was silent
   * about): replayed first, without upsert, and resolved by look-up; never skipped.
   */
  inDoubtKeys: Set<string>;
  /**
   * Of each key in doubt: when its earliest attempt went out (ISO; a Dynamic user made before is
   * not its doing) and the identities the attempts carried (how Dynamic may hold a user whose row
   * changed since).
   */
  inDoubtDetails: ReadonlyMap<string, { since: string; identities: Identity[] }>;
  /** Where incremental reads start; null before the first run recorded it. */
  incrementalSince: string | null;
  /** Child name → timestamp up to which its changes were processed (absent: from `incrementalSince`). */
  childWatermarks: Record<string, string>;
}

/** What the ledger knows about a key, as far as deciding whether (and how) to send it goes. */
export interface LedgerView {
  outcome: LedgerOutcome;
  /** The user is in Dynamic (created, updated or already there). */
  inDynamic: boolean;
  /** Whose Dynamic user it is; null when none or unknown. */
  owner: LedgerOwner | null;
  dynamicUserId: string | null;
  /** Hash of the payload last settled for it; null when unknown. */
  payloadHash: string | null;
  /** Hash of the identities last sent for it; null when unknown. */
  identityHash: string | null;
}

/**
 * What the pipeline needs from the checkpoint store. A real run journals to the job's SQLite file;
 * a dry run uses {@link memoryJournal}, so both walk the same code path.
 */
export interface Journal {
  /** Where to start; forgets the batches left unsettled (their keys come back as `inDoubtKeys`). */
  resumePoint(): Promise<ResumePoint>;
  /** What the ledger holds for these keys (keys never settled are absent). */
  ledger(keys: string[]): Promise<Map<string, LedgerView>>;
  plan(batch: {
    firstKey: string; lastKey: string; sendKeys: string[]; upsert: boolean; pass: BatchPass; positioned: boolean;
    sentIdentities?: Record<string, Identity[]>;
  }): Promise<number>;
  markSent(seq: number): Promise<void>;
  settle(seq: number, outcomes: SettledOutcome[], rejections: Rejection[]): Promise<void>;
  /** Records where incremental reads start, once per job; returns the value in force. */
  recordIncrementalSince(since: string): Promise<string>;
  /** Ends the full pass: later runs read changes from `cursor`. */
  enterIncremental(cursor: string): Promise<void>;
  /** A child's changes up to `upper` are all processed. */
  setChildWatermark(child: string, upper: string): Promise<void>;
  /** Where the rate limiter keeps its sends across restarts; none for a dry run. */
  sendJournal(options: { retainMs: number; now?: () => number }): SendJournal | undefined;
  /**
   * The broken rules settled since the last run that wrote its rejects files (a dry run keeps
   * none: its rejects are written as they come); `markRejectionsReported` once written.
   */
  unreportedRejections(): Promise<{ through: number; rows: AsyncIterable<Rejection> } | undefined>;
  markRejectionsReported(through: number): Promise<void>;
}

/** A journal that remembers nothing: dry runs never touch a job's checkpoint, so they are always a full pass. */
export function memoryJournal(): Journal {
  let seq = 0;
  return {
    resumePoint: async () => ({ phase: 'full', cursor: null, inDoubtKeys: new Set(), inDoubtDetails: new Map(), incrementalSince: null, childWatermarks: {} }),
    ledger: async () => new Map(),
    plan: async () => ++seq,
    markSent: async () => {},
    settle: async () => {},
    recordIncrementalSince: async (since) => since,
    enterIncremental: async () => {},
    setChildWatermark: async () => {},
    sendJournal: () => undefined,
    unreportedRejections: async () => undefined,
    markRejectionsReported: async () => {},
  };
}
