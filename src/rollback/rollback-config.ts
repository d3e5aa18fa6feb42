/** Everything one rollback needs, resolved once by the CLI. Holds the token: never log it whole. */
export interface RollbackConfig {
  /** The job whose created users are deleted. */
  job: string;
  /** @default checkpoints */
  checkpointDir: string;
  /**
   * The state database holding the job (schema `dm_<job>`) instead of a file under
   * `checkpointDir` (`--state-url`). Holds a password: never log it. @default none: the file
   */
  stateUrl?: string;
  /** API root. @default https://app.dynamicauth.com/api/v0 */
  apiUrl: string;
  /**
   * The environment to delete from. Must equal the one the job was started with; when unset, that
   * one is used.
   */
  environmentId?: string;
  /** Needed to delete; a dry run (preview only) does without. */
  token?: string;
  /** The local IP address every DELETE goes out from (`--local-address`). @default the system's choice */
  localAddress?: string;
  /** Most DELETE requests per rolling minute; 0 = no client-side limit. @default 1500 (Dynamic's developer limit per IP) */
  rateLimitPerMinute: number;
  /** Retries per user on 429, 5xx and network errors. @default 8 */
  retries: number;
  /** DELETE requests in flight at once. @default 4 */
  concurrency: number;
}

/** What a rollback did. `failures` name legacy ids and reasons, never personal data. */
export interface RollbackResult {
  job: string;
  /** Deleted by this rollback. */
  deleted: number;
  /** Already gone (404); recorded as rolled back too. */
  alreadyGone: number;
  failed: number;
  failures: Array<{ legacyId: string; reason: string }>;
  /** Stopped by a signal or a fatal error before the end; run the command again to continue. */
  interrupted: boolean;
  fatalError?: string;
  durationMs: number;
}
