/**
 * The result of `dynamic-migrate check`, printed as is by `--json`. Values from the legacy rows
 * never appear in it except masked (`j…m (17 chars)`), as the mapper gives them.
 *
 * ```jsonc
 * {
 *   "mapping": "mappings/example.ts",   // the file as given
 *   "source": "localhost:5432/legacy",  // host:port/db, never user or password
 *   "tables": [{ "table": "users", "usedBy": ["source.table"], "resolved": "public.users", "columns": 15 }],
 *   "columnsChecked": 31,               // column references compared with the schema
 *   "problems": [{ "severity": "error", "kind": "missing_column", "table": "users", "column": "emial",
 *                  "usedBy": ["fields.email"], "suggestion": "email", "message": "..." }],
 *   "sample": {                         // null when the structure is wrong or --sample 0
 *     "requested": 1000, "read": 1000, "mapped": 990, "rejected": 10,
 *     "fields": [{ "name": "email", "count": 931, "percent": 94.04 }],
 *     "metadata": [{ "name": "plan", "count": 990, "percent": 100 }],
 *     "wallets": { "users": 297, "total": 512, "byChain": [{ "name": "ETH", "count": 140, "percent": 27.34 }] },
 *     "oauthAccounts": { "users": 301, "total": 402, "byProvider": [{ "name": "google", ... }] },
 *     "rejects": [{ "field": "firstName", "rule": "pattern", "rows": 2, "message": "...",
 *                   "examples": [{ "legacyId": "100", "value": "E…🚀 (7 chars)" }] }],
 *     "warnings": [{ "field": "username", "rule": "slugified", "rows": 3, "message": "...", "examples": [{ "legacyId": "7" }] }]
 *   },
 *   "sound": true,                      // no structural error
 *   "exitCode": 3
 * }
 * ```
 */
export interface CheckReport {
  mapping: string;
  source: string;
  tables: TableCheck[];
  columnsChecked: number;
  problems: SchemaProblem[];
  sample: SampleReport | null;
  sound: boolean;
  exitCode: CheckExitCode;
}

/**
 * 0: the mapping is sound and every sampled row maps; 3: sound, but sampled rows would be
 * rejected; 2: a table, column or type the mapping needs is wrong (or config is missing).
 */
export type CheckExitCode = 0 | 2 | 3;

/** One table the mapping reads, and what the database calls it (`null`: it does not exist). */
export interface TableCheck {
  table: string;
  usedBy: string[];
  resolved: string | null;
  columns: number;
}

export type SchemaProblemKind = 'missing_table' | 'missing_column' | 'incompatible_type' | 'json_in_text' | 'sample_failed' | 'key_type_mismatch' | 'lookup_shadows_column' | 'lookup_untracked' | 'lookup_promise';

/** A structural problem: an `error` makes the mapping unsound (exit 2), a `warning` does not. */
export interface SchemaProblem {
  severity: 'error' | 'warning';
  kind: SchemaProblemKind;
  table?: string;
  column?: string;
  usedBy: string[];
  /** A close name that does exist ("did you mean"). */
  suggestion?: string;
  message: string;
}

/** How many of the cleanly mapped users get a value; `percent` is of `SampleReport.mapped`. */
export interface CoverageEntry {
  name: string;
  count: number;
  percent: number;
}

/** Rows of the sample that share one problem (field + rule), with at most three example rows. */
export interface SampleIssueGroup {
  field: string;
  rule: string;
  rows: number;
  /** The message of the first row with it (messages hold no clear values). */
  message: string;
  examples: { legacyId: string; value?: string }[];
}

/** The first N source rows in key order, mapped as `run` would map them. */
export interface SampleReport {
  requested: number;
  read: number;
  mapped: number;
  rejected: number;
  fields: CoverageEntry[];
  metadata: CoverageEntry[];
  /** `byChain` percentages are of `total` wallets. */
  wallets: { users: number; total: number; byChain: CoverageEntry[] };
  /** `byProvider` percentages are of `total` accounts. */
  oauthAccounts: { users: number; total: number; byProvider: CoverageEntry[] };
  rejects: SampleIssueGroup[];
  warnings: SampleIssueGroup[];
  /** Values left out so their users could be sent (`onInvalid: 'drop'`), by field and rule, with example rows and masked values. */
  dropped: SampleIssueGroup[];
}

/** The exit code a report calls for (see {@link CheckExitCode}). */
export function checkExitCode(problems: readonly SchemaProblem[], sample: SampleReport | null): CheckExitCode {
  if (problems.some((problem) => problem.severity === 'error')) return 2;
  return sample && sample.rejected > 0 ? 3 : 0;
}
