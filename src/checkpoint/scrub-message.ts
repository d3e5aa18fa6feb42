/** Longest error message kept in the ledger: enough to act on, not a dump of a response body. */
export const MAX_MESSAGE_LENGTH = 500;

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g;

/** `jane.doe@example.com` → `j***@e***.com`: enough to tell two addresses apart in a log, no more. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***${domain.slice(dot)}`;
}

/**
 * Error messages come from the API and may quote the value that clashed (an email, typically). The
 * ledger must not hold personal values in its messages, so email addresses are masked and the
 * message is shortened.
 */
export function scrubMessage(message: string | undefined | null): string | null {
  if (message == null || message === '') return null;
  const masked = message.replace(EMAIL, maskEmail);
  return masked.length > MAX_MESSAGE_LENGTH ? `${masked.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : masked;
}
