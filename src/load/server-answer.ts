import { errorBodySchema } from '../contract/index.js';

/** The message of a `LoadError` for a status not worth retrying; names what to check, never the token. */
export function fatalMessage(status: number, reason: string, environmentId: string): string {
  const said = reason ? ` (server said: ${reason})` : '';
  switch (status) {
    case 401: return `the API token was rejected (401): check DYNAMIC_API_TOKEN${said}`;
    case 403: return `the API token may not use environment ${environmentId} (403): check DYNAMIC_ENVIRONMENT_ID and the token${said}`;
    case 404: return `the bulk endpoint was not found (404): check DYNAMIC_API_URL and the environment id${said}`;
    case 400:
    case 422: return `the API rejected the request (${status}): ${reason || 'no reason given'}`;
    default: return `the API answered ${status}${said}`;
  }
}

/** `{ error }`, `{ message }` or `{ code }` from an error body; else the raw text, shortened. */
export function serverReason(text: string): string {
  const parsed = errorBodySchema.safeParse(parseJson(text));
  if (parsed.success) {
    const { error, message, code } = parsed.data;
    const reason = error ?? message ?? (code !== undefined ? String(code) : undefined);
    if (reason) return snippet(reason);
  }
  return snippet(text.trim());
}

/** `undefined` for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Shortens server text for a message. */
export function snippet(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
