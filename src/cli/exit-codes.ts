/**
 * The exit codes of dynamic-migrate, in one place. They are part of the interface (scripts and CI
 * branch on them), so a code never changes meaning; new ones are added, never renumbered.
 *
 * | code | name          | meaning |
 * |------|---------------|---------|
 * | 0    | `OK`          | finished, and everything was accounted for (run), agrees (reconcile), is gone (rollback) |
 * | 1    | `FAILURE`     | an unexpected error, or a fatal one that stopped the command (401/403, damaged checkpoint) |
 * | 2    | `USAGE`       | bad flags, environment or files; missing checkpoint; job locked by a live run; rollback or reset not confirmed |
 * | 3    | `INCOMPLETE`  | finished, but some rows were rejected or failed (run), differences found (reconcile), some deletions failed (rollback) |
 * | 130  | `INTERRUPTED` | stopped by Ctrl-C / SIGTERM after saving its progress; run the same command again to resume |
 */
export const EXIT_CODES = {
  /** Finished; nothing left to do. */
  OK: 0,
  /** Unexpected or fatal error. */
  FAILURE: 1,
  /** Usage or configuration error, with a one-line reason on stderr. */
  USAGE: 2,
  /** Finished, but not everything succeeded; details in the summary and reports. */
  INCOMPLETE: 3,
  /** Interrupted by a signal (128 + SIGINT); resumable. */
  INTERRUPTED: 130,
} as const;

// yargs handlers cannot return a value, so a command leaves its exit code here for main() to return.
let pending: number = EXIT_CODES.OK;

/** Called by a command handler: the code main() returns once the handler has finished. */
export function setExitCode(code: number): void {
  pending = code;
}

/** Called by main() after the command: the code left by its handler, reset for the next in-process call. */
export function takeExitCode(): number {
  const code = pending;
  pending = EXIT_CODES.OK;
  return code;
}
