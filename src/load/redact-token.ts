/**
 * Removes `token` (and any `Bearer ...` credential) from text that may reach a log or an error
 * message, such as a server's error body echoing our request.
 */
export function redactToken(text: string, token: string | undefined): string {
  let result = text;
  // Very short "tokens" would redact ordinary words; real tokens are long.
  if (token && token.length >= 4) result = result.split(token).join('[redacted]');
  return result.replace(/(Bearer\s+)[^\s"',]+/gi, '$1[redacted]');
}
