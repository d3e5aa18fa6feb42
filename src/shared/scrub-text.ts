/**
 * The one scrubber for text that leaves the process: the ledger, failed.jsonl, summary.json, the
 * reports, stdout, stderr and JSON logs all pass error text from the API or the database through
 * it, so a credential or an email address an error message quotes is removed the same way in each.
 */
import { maskText } from './mask.js';

/** Exact values that must never be written: the API token, database passwords (see {@link registerSecret}). */
const registered = new Set<string>();

/**
 * Remembers a value that must never appear in any output (the API token, a database password),
 * for the rest of the process. Values shorter than 4 characters are ignored: they would redact
 * ordinary words, and real credentials are longer.
 */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) registered.add(value);
}

const EMAIL = /[^\s@"'<>(),;:/[\]]+@[^\s@"'<>(),;:/[\]]+\.[^\s@"'<>(),;:/[\]]+/g;
/** `Bearer <anything>` as an Authorization header or an echo of one. */
const BEARER = /(Bearer\s+)[^\s"',]+/gi;
/** Dynamic's environment API tokens start with `dyn_`. */
const DYNAMIC_TOKEN = /\bdyn_[A-Za-z0-9_-]{8,}/g;
/** `scheme://user:password@host`: the password part of any URL. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi;
/** `password=...` in a libpq conninfo string or a query string. */
const PASSWORD_PARAM = /\b(password\s*=\s*)('[^']*'|[^\s&]+)/gi;
/** An EVM address (hex): personal in a legacy table, quoted by wallet errors. */
const EVM_ADDRESS = /\b0x[0-9a-fA-F]{40}\b/g;
/** A phone number in E.164 form, quoted by phone errors. */
const PHONE = /\+[1-9]\d{6,14}\b/g;

/**
 * `text` with every registered secret, bearer credential, `dyn_` token and URL or conninfo
 * password replaced by `[redacted]`, email addresses, EVM addresses and E.164 phone numbers
 * masked as `maskText` shows personal data everywhere (`j…m (20 chars)`), and (with `maxLength`)
 * shortened.
 * Pure but for the registry of secrets.
 */
export function scrubText(text: string, options: { maxLength?: number } = {}): string {
  let result = text;
  // Longest first, so a URL holding a password is replaced as a whole before the password in it.
  for (const secret of [...registered].sort((a, b) => b.length - a.length)) result = result.split(secret).join('[redacted]');
  result = result
    .replace(URL_PASSWORD, '$1[redacted]@')
    .replace(PASSWORD_PARAM, '$1[redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(DYNAMIC_TOKEN, '[redacted]')
    .replace(EMAIL, maskText)
    .replace(EVM_ADDRESS, maskText)
    .replace(PHONE, maskText);
  const max = options.maxLength;
  return max !== undefined && result.length > max ? `${result.slice(0, max - 1)}…` : result;
}
