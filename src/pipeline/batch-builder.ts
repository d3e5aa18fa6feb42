import type { UserPayload } from '../contract/index.js';
import type { Identity } from '../load/identity-holders.js';
import type { Rejection } from '../mapping/index.js';
import type { PipelineOutcome } from './batch-sender.js';
import type { LedgerView } from './journal.js';

/** How a batch goes out: without upsert, or with it. A request never mixes the two. */
export type SendMode = 'create' | 'upsert';

/** One user ready to send, with the legacy id it came from. */
export interface PlannedUser {
  legacyId: string;
  payload: UserPayload;
  /** What the ledger keeps to spot unchanged rows later; a dry run keeps no ledger and skips it. */
  payloadHash: string | undefined;
  /** What the ledger keeps to spot identities that changed; a dry run skips it. */
  identityHash?: string | undefined;
  /** An earlier attempt may have created it: "already exists" is looked up, not believed. */
  inDoubt?: boolean;
  /** Look its identities up before the upsert: they changed since they were last sent. */
  guard?: boolean;
  /** What the ledger knew about it before this run. */
  known?: LedgerView | undefined;
  /** In doubt: the identities the lost attempts carried (how Dynamic may hold it if its row changed since). */
  sentIdentities?: Identity[];
  /** In doubt: when the earliest lost attempt went out (ms); a Dynamic user made before is not its doing. */
  inDoubtSince?: number;
}

/**
 * A batch covers a contiguous range of source keys: the users to send and the rows of that range
 * rejected locally. Settling it settles the whole range, which is what lets the cursor move past it.
 */
export interface PlannedBatch {
  firstKey: string;
  lastKey: string;
  users: PlannedUser[];
  rejections: Rejection[];
  /** Rejected rows in this batch (a row can carry several rejections). */
  rejectedKeys: string[];
  upsert: boolean;
  /**
   * Whether settling this batch may move the cursor to `lastKey`. When a key range holds users of
   * both modes it is sent as two batches: the first unpositioned, the second carrying the range,
   * so the cursor passes the range only once both settled. @default true
   */
  positioned?: boolean;
  /** Users of the range not sent, with their outcome (a change that is never pushed into someone else's account). */
  held?: PipelineOutcome[];
}

/**
 * Rows rejected (or skipped as unchanged) in a long stretch would otherwise pile up in one open batch; closing the batch at
 * this many rejected rows keeps memory flat whatever the data looks like.
 */
const MAX_REJECTED_ROWS_PER_BATCH = 500;

interface OpenRange {
  firstKey: string;
  lastKey: string;
  create: PlannedUser[];
  upsert: PlannedUser[];
  rejections: Rejection[];
  rejectedKeys: string[];
  held: PipelineOutcome[];
  skipped: number;
}

/**
 * Groups mapped rows, in key order, into batches of at most `batchSize` users of one send mode.
 * Returns completed key ranges as one batch, or two (the upsert users, then the create users
 * with the range's rejections) when the range holds both modes. Pure.
 */
export class BatchBuilder {
  private open: OpenRange | undefined;

  constructor(private readonly batchSize: number) {}

  /** Adds a row; returns the batches it completed, if any. */
  addUser(key: string, user: PlannedUser, mode: SendMode): PlannedBatch[] | undefined {
    const range = this.rangeFor(key);
    const users = mode === 'upsert' ? range.upsert : range.create;
    users.push(user);
    return users.length >= this.batchSize ? this.close() : undefined;
  }

  addRejected(key: string, rejections: Rejection[]): PlannedBatch[] | undefined {
    const range = this.rangeFor(key);
    range.rejections.push(...rejections);
    range.rejectedKeys.push(key);
    return range.rejectedKeys.length >= MAX_REJECTED_ROWS_PER_BATCH ? this.close() : undefined;
  }

  /**
   * A row that needs nothing sent (its payload is unchanged, or `outcome` says why it is held
   * back): it only widens the open range, so settling it moves the cursor past the row and the
   * next run does not read it again.
   */
  addSkipped(key: string, outcome?: PipelineOutcome): PlannedBatch[] | undefined {
    const range = this.rangeFor(key);
    range.skipped += 1;
    if (outcome) range.held.push(outcome);
    return range.skipped >= MAX_REJECTED_ROWS_PER_BATCH ? this.close() : undefined;
  }

  /** The last, partial range. */
  flush(): PlannedBatch[] | undefined {
    return this.open ? this.close() : undefined;
  }

  private rangeFor(key: string): OpenRange {
    this.open ??= { firstKey: key, lastKey: key, create: [], upsert: [], rejections: [], rejectedKeys: [], held: [], skipped: 0 };
    this.open.lastKey = key;
    return this.open;
  }

  private close(): PlannedBatch[] | undefined {
    const range = this.open;
    this.open = undefined;
    if (!range) return undefined;
    const { firstKey, lastKey } = range;
    const batch = (users: PlannedUser[], upsert: boolean): PlannedBatch => ({ firstKey, lastKey, users, rejections: [], rejectedKeys: [], upsert, positioned: false });
    const batches: PlannedBatch[] = [];
    if (range.upsert.length > 0) batches.push(batch(range.upsert, true));
    if (range.create.length > 0 || batches.length === 0) batches.push(batch(range.create, false));
    // The last batch carries the range: its rejections, held users and the cursor position.
    const last = batches.at(-1) as PlannedBatch;
    Object.assign(last, { rejections: range.rejections, rejectedKeys: range.rejectedKeys, held: range.held, positioned: true });
    return batches;
  }
}
