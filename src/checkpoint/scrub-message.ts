import { scrubText } from '../shared/scrub-text.js';

/** Longest error message kept in the ledger: enough to act on, not a dump of a response body. */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * Error messages come from the API or the database and may quote the value that clashed (an
 * email, typically) or a credential. Every output keeps them only scrubbed (see `scrubText`) and
 * shortened; null for an empty message.
 */
export function scrubMessage(message: string | undefined | null): string | null {
  if (message == null || message === '') return null;
  return scrubText(message, { maxLength: MAX_MESSAGE_LENGTH });
}
