/** Why the loader is sending nothing right now. */
export type LoaderWaitReason =
  /** The server answered 429 and said (Retry-After) or implied when to come back: every sender waits. */
  | 'retry_after'
  /** The rate limit in force (configured, announced by the server, or lowered after 429s) has no slot free yet. */
  | 'rate_limit'
  /** Users whose fate is unknown (an answer lost, a retried 5xx) are being looked up in Dynamic first. */
  | 'resolving';

/**
 * A pause of the loader as the operator should see it, so a healthy run that waits is not taken
 * for a stuck one. Announced when it starts and again when it changes; `undefined` ends it.
 */
export interface LoaderWait {
  reason: LoaderWaitReason;
  /** When it is expected to end (ms since the epoch); undefined when unknown (e.g. look-ups). */
  until?: number;
  /** One line for people: "the server asked to wait (Retry-After)", "resolving 50 in-doubt users". */
  message: string;
}
