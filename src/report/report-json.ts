import type { UsernameChange } from '../duplicates/index.js';
import type { CoverageEntry, SampleIssueGroup } from '../check/check-report.js';
import type { DuplicateCluster } from './duplicate-clusters.js';

/** Bumped when a field of {@link ReportJson} changes meaning or is removed (adding one does not). */
export const REPORT_VERSION = 1;

/** Clusters listed in the report (biggest first); `duplicates.total` counts them all. */
export const MAX_REPORTED_CLUSTERS = 200;

/**
 * `report.json`: what one run (dry or real) did or would do, for machines. Values from the legacy
 * rows never appear in it except masked (`j…m (17 chars)`); row ids (the legacy primary keys) do.
 *
 * ```jsonc
 * {
 *   "version": 1, "job": "example", "dryRun": true, "generatedAt": "2026-11-27T12:00:00.000Z",
 *   "totals": { "eligible": 1000, "create": 940, "update": 0, "unchanged": 0, "rejected": 10, ... },
 *   "coverage": { "mapped": 940, "fields": [{ "name": "email", "count": 890, "percent": 94.68 }], ... },
 *   "rejects": [{ "field": "email", "rule": "pattern", "rows": 3, "message": "...",
 *                 "examples": [{ "legacyId": "100", "value": "n…l (9 chars)" }] }],
 *   "warnings": [...], "failures": [{ "code": "bad_request", "count": 1, "examples": ["17"] }],
 *   "duplicates": { "available": true, "total": 1, "clusters": [{ "kind": "email", "key": "j…m (17 chars)", "rows": 2, "legacyIds": ["7", "9"] }] },
 *   "samples": [{ "legacyId": "42", "outcome": "would_send", "payload": { "email": "a…m (17 chars)" } }],
 *   // only with --compare-target:
 *   "target": { "compared": 938, "create": 900, "update": 37, "conflict": 1, "notCompared": 2,
 *               "examples": { "conflict": ["17"], "update": ["3", "5"] } }
 * }
 * ```
 */
export interface ReportJson {
  /** {@link REPORT_VERSION} when written. */
  version: number;
  job: string;
  dryRun: boolean;
  /** When the report was written (ISO 8601). */
  generatedAt: string;
  /** `full` for a first pass, `incremental` for a rerun (absent when unknown). */
  phase?: 'full' | 'incremental';
  /** The run stopped early (signal or fatal error): the numbers cover only what was done. */
  interrupted: boolean;
  fatalError?: string;
  totals: ReportTotals;
  coverage: ReportCoverage;
  /** Reasons rows were rejected, most rows first, each with up to 5 example rows (masked values). */
  rejects: SampleIssueGroup[];
  /** Values changed to fit the API but still sent, most rows first (no values: only row ids). */
  warnings: SampleIssueGroup[];
  /** Values left out so their users could be sent (`onInvalid: 'drop'`), most rows first, with up to 5 example rows (masked values). */
  dropped: SampleIssueGroup[];
  /** Users the API refused, by error code, most first (real runs only). */
  failures: FailureGroup[];
  duplicates: {
    /** False when no duplicate detector ran: an empty list then means "not looked at", not "none". */
    available: boolean;
    /** Clusters found in all; `clusters` lists the biggest {@link MAX_REPORTED_CLUSTERS}. */
    total: number;
    clusters: DuplicateCluster[];
    /**
     * Present when the detector, which works in fixed memory, could not cover everything: its
     * table filled up (identities first seen later were not looked at), or it found more clusters
     * than it lists. Absent: every identity of every mapped row was compared.
     */
    note?: string;
  };
  /**
   * Every user whose username another user of the source keeps (`duplicates.usernames`), in
   * legacy-id order, all of them: renamed to `to`, or sent without one (`to: null`). Usernames are
   * in clear here, as the user is found by them (the file is written 0600).
   */
  usernameChanges: UsernameChange[];
  /** Up to ~20 payloads picked uniformly at random from the users that mapped, every personal value masked. */
  samples: ReportSample[];
  /** What Dynamic already holds, per user that maps cleanly: only when the run had `--compare-target`. */
  target?: ReportTarget;
}

/**
 * `run --compare-target`: each user that maps cleanly was looked up in Dynamic (read-only) by
 * email, or by username when it has none, and one of three outcomes predicted. `create + update +
 * conflict = compared`. On a real run the lookups go alongside the sends, so a user the run has
 * just created may be counted `update`: the comparison means most with `--dry-run`.
 */
export interface ReportTarget {
  /** Users looked up. */
  compared: number;
  /** Nobody in Dynamic has the email (or username): a run creates the user. */
  create: number;
  /** The holder carries this legacy id in `metadata[legacyIdKey]`: a rerun with `--upsert` updates it. */
  update: number;
  /**
   * Someone else (another or no legacy id) holds the email or username: without `--upsert` Dynamic
   * refuses the user (`email_already_exists` / `username_already_exists`); with it, it would
   * overwrite that person's profile.
   */
  conflict: number;
  /** Users that map cleanly but were not looked up: no email nor username, or the comparison stopped. */
  notCompared: number;
  /** Up to 10 legacy ids (row ids, no personal values) per prediction. */
  examples: { conflict: string[]; update: string[] };
  /** Why the comparison stopped early (a 401, retries exhausted, interrupted); absent when it finished. */
  error?: string;
}

/**
 * Every count is of source rows; they add up to `eligible` (see `RunSummary.addsUp`). In a dry run
 * `create` counts the users that would be sent: a dry run does not ask Dynamic, so a user already
 * there is only found out by a real run (as `alreadyExisted`, or `update` with `--upsert`).
 */
export interface ReportTotals {
  /** Rows the source filter selected and the run read. */
  eligible: number;
  create: number;
  update: number;
  /** Incremental runs: changed rows whose payload equals what was sent before. */
  unchanged: number;
  rejected: number;
  failed: number;
  /** A Dynamic user carrying the row's legacy id was already there (not created by this job). */
  alreadyExisted: number;
  /** An identity of the user belongs to someone else in Dynamic: never updated without --upsert. */
  conflicts: number;
  /** Settled by an earlier, interrupted attempt of the same pass. */
  alreadySettled: number;
  /** Users whose fate is unknown when the run stopped; the next run looks them up. */
  inDoubt: number;
}

/**
 * How many of the users that map cleanly get each value. `fields` always lists the headline
 * fields (email, verified email, username, names, phone, country), then every other mapped field;
 * `percent` is of `mapped`. Wallet and OAuth percentages are of their totals.
 */
export interface ReportCoverage {
  /** Rows that mapped to a valid payload (the base of `fields` and `metadata` percentages). */
  mapped: number;
  fields: CoverageEntry[];
  metadata: CoverageEntry[];
  wallets: { users: number; total: number; byChain: CoverageEntry[] };
  oauthAccounts: { users: number; total: number; byProvider: CoverageEntry[] };
}

export interface FailureGroup {
  code: string;
  count: number;
  /** Up to 5 row ids. */
  examples: string[];
}

export interface ReportSample {
  legacyId: string;
  /** `would_send` (dry run), `created`, `updated`, `already_exists`, `failed`; absent when its batch never settled. */
  outcome?: string;
  /** The payload as it would be sent, with every personal value masked (see `maskPayload`). */
  payload: Record<string, unknown>;
}
