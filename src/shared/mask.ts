/**
 * The one format in which personal data is shown, wherever it is shown: rejects files, reports,
 * the ledger, logs and the console. A value becomes at most its first and last character and its
 * length, `j…m (17 chars)`: enough to tell two values apart and to find the row, never the value.
 * Short values show less, since the first and last of a two-letter value are all of it. The only
 * parts kept in clear are the ones that describe no one: a wallet's chain, an OAuth provider.
 */

/** `jane.doe@acme.com` → `j…m (17 chars)`. Counts code points, so an emoji is never cut in half. */
export function maskText(text: string): string {
  const chars = [...text];
  const length = `(${chars.length} ${chars.length === 1 ? 'char' : 'chars'})`;
  if (chars.length === 0) return `"" ${length}`;
  if (chars.length <= 2) return `… ${length}`;
  if (chars.length <= 4) return `${chars[0]}… ${length}`;
  return `${chars[0]}…${chars[chars.length - 1]} ${length}`;
}

/**
 * Describes any value in that format: text as {@link maskText}, numbers and dates the same with
 * their kind, arrays and objects by their size only. Booleans and null carry no personal data and
 * show as they are.
 */
export function maskValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return '(missing)';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return `number ${maskText(String(value))}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : `date ${maskText(value.toISOString())}`;
  if (Array.isArray(value)) return `array (${value.length} ${value.length === 1 ? 'item' : 'items'})`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).length;
    return `object (${keys} ${keys === 1 ? 'key' : 'keys'})`;
  }
  return typeof value;
}

/** The kinds of identity a user holds once (see `contract/identity-keys.ts`). */
export type IdentityKind = 'email' | 'username' | 'wallet' | 'oauth';

/**
 * An identity key (`walletKey`, `oauthKey`, ...) in that format: a wallet keeps its chain and an
 * OAuth account its provider (`EVM:0…1 (42 chars)`, `google:1…9 (9 chars)`); an email or a
 * username is masked whole, domain included, since a domain can name a small company's employee.
 */
export function maskIdentity(kind: IdentityKind, key: string): string {
  if (kind === 'email' || kind === 'username') return maskText(key);
  const colon = key.indexOf(':');
  return `${key.slice(0, colon + 1)}${maskText(key.slice(colon + 1))}`;
}
