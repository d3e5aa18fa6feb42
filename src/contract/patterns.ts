/**
 * The API's string rules, ported to JavaScript regular expressions.
 *
 * The reference page writes them for a non-JS engine; each port here is pinned by test vectors in
 * test/unit/contract/patterns.test.ts, so a wrong port fails loudly instead of rejecting real users.
 */

/** alias, firstName, lastName, jobTitle, phoneNumber, tShirtSize, team: letters and digits of any script, a few marks, no outer space. */
export const NAME_PATTERN = /^$|^(?=\S)[\p{L}\p{N}a-zA-Z _.,:!?&%@/+\-'|]+(?<=\S)$/u;

/** username: 3 to 20 letters, digits, `_` or `-`, of any script (code points, not UTF-16 units). */
export const USERNAME_PATTERN = /^$|^[\p{L}\p{N}_-]{3,20}$/u;
/** The lengths USERNAME_PATTERN allows, in code points. */
export const USERNAME_MIN_CHARS = 3;
export const USERNAME_MAX_CHARS = 20;

/** ISO 3166-1 alpha-2, upper case. */
export const COUNTRY_PATTERN = /^[A-Z]{2}$/;

/** Path parameter `environmentId`: a lower-case UUID, exactly 36 characters. */
export const ENVIRONMENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The email rule. Its character class `[]!#-[^-~ \t]` opens with `]` as a literal, which JavaScript
// reads as an empty class instead, so the pieces are rebuilt here one by one.
const ATOM = "[!#-'*+/-9=?A-Z^-~-]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const QUOTED_LOCAL = '"(?:[\\]!#-\\[^-~ \\t]|[\\t -~])+"';
// The API's domain alternative is `[\t -Z^-~]*`: printable ASCII except `[ \ ]`, possibly empty.
const LOOSE_DOMAIN = '[\\t -Z^-~]*';

/** email: the API's RFC 5322-style rule (ASCII only; an empty string is allowed). */
export const EMAIL_PATTERN = new RegExp(`^$|^(?:${DOT_ATOM}|${QUOTED_LOCAL})@(?:${DOT_ATOM}|${LOOSE_DOMAIN})$`);

/** Top-level legacy wallet fields, keyed by field name. */
export const LEGACY_WALLET_PATTERNS = {
  btcWallet: /^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}$/,
  kdaWallet: /^k:[0-9a-fA-F]{64}$/,
  ltcWallet: /^[LM3][a-km-zA-HJ-NP-Z1-9]{26,53}$/,
  ckbWallet: /^(ckb1q|ckt1q)[0-9a-z]{25,111}$/,
  kasWallet: /^kaspa:[0-9A-Za-z]{56,}$/,
  dogeWallet: /^D[a-zA-Z0-9_.-]{33}$/,
} as const;

export type LegacyWalletField = keyof typeof LEGACY_WALLET_PATTERNS;
