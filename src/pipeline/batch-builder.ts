import type { UserPayload } from '../contract/index.js';
import type { Rejection } from '../mapping/index.js';

/** One user ready to send, with the legacy id it came from. */
export interface PlannedUser {
  legacyId: string;
  payload: UserPayload;
  /** What the ledger keeps to spot unchanged rows later; a dry run keeps no ledger and skips it. */
  payloadHash: string | undefined;
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
}

/**
 * Rows rejected (or skipped as unchanged) in a long stretch would otherwise pile up in one open batch; closing the batch at
 * this many rejected rows keeps memory flat whatever the data looks like.
 */
const MAX_REJECTED_ROWS_PER_BATCH = 500;

/** Groups mapped rows, in key order, into batches of at most `batchSize` users. Pure. */
export class BatchBuilder {
  private open: PlannedBatch | undefined;
  private skippedInOpen = 0;

  constructor(private readonly batchSize: number) {}

  /** Adds a row; returns the batch it completed, if any. */
  addUser(key: string, user: PlannedUser, upsert: boolean): PlannedBatch | undefined {
    const batch = this.batchFor(key);
    batch.users.push(user);
    batch.upsert ||= upsert;
    return batch.users.length >= this.batchSize ? this.close() : undefined;
  }

  addRejected(key: string, rejections: Rejection[]): PlannedBatch | undefined {
    const batch = this.batchFor(key);
    batch.rejections.push(...rejections);
    batch.rejectedKeys.push(key);
    return batch.rejectedKeys.length >= MAX_REJECTED_ROWS_PER_BATCH ? this.close() : undefined;
  }

  /**
   * A row that needs nothing sent (its payload is unchanged): it only widens the open batch's key
   * range, so settling that batch moves the cursor past it and the next run does not read it again.
   */
  addSkipped(key: string): PlannedBatch | undefined {
    this.batchFor(key);
    this.skippedInOpen += 1;
    return this.skippedInOpen >= MAX_REJECTED_ROWS_PER_BATCH ? this.close() : undefined;
  }

  /** The last, partial batch. */
  flush(): PlannedBatch | undefined {
    return this.open ? this.close() : undefined;
  }

  private batchFor(key: string): PlannedBatch {
    this.open ??= { firstKey: key, lastKey: key, users: [], rejections: [], rejectedKeys: [], upsert: false };
    this.open.lastKey = key;
    return this.open;
  }

  private close(): PlannedBatch | undefined {
    const batch = this.open;
    this.open = undefined;
    this.skippedInOpen = 0;
    return batch;
  }
}
