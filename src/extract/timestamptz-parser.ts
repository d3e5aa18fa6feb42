import pg from 'pg';

/** PostgreSQL's type oid for `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

type TextParser = (text: string) => unknown;

const digitAt = (text: string, index: number) => {
  const digit = text.charCodeAt(index) - 48;
  return digit >= 0 && digit <= 9 ? digit : Number.NaN;
};
const twoDigits = (text: string, index: number) => digitAt(text, index) * 10 + digitAt(text, index + 1);

/**
 * pg's `timestamptz` parser (postgres-date) runs three regular expressions per value and was the
 * extractor's largest cost (12 % of reading a page). This reads the one shape PostgreSQL prints,
 * `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`, digit by digit, into the same Date (milliseconds
 * truncated, as pg does); anything else (BC, infinity, years below 1000) goes to pg's own parser.
 */
export function parseTimestamptz(text: string, fallback: TextParser = pg.types.getTypeParser(TIMESTAMPTZ_OID)): unknown {
  const length = text.length;
  if (length < 22 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return fallback(text);
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  let index = 19;
  let millis = 0;
  if (text[index] === '.') {
    index += 1;
    for (let scale = 100; index < length && digitAt(text, index) >= 0; index += 1, scale /= 10) {
      if (scale >= 1) millis += digitAt(text, index) * scale;
    }
  }
  const sign = text[index] === '+' ? 1 : text[index] === '-' ? -1 : 0;
  let offsetSeconds = twoDigits(text, index + 1) * 3600;
  index += 3;
  if (text[index] === ':') {
    offsetSeconds += twoDigits(text, index + 1) * 60;
    index += 3;
    if (text[index] === ':') {
      offsetSeconds += twoDigits(text, index + 1);
      index += 3;
    }
  }
  const instant = utcMillis(year, month, day, hour, minute, second, millis) - sign * offsetSeconds * 1000;
  if (sign === 0 || index !== length || year < 1000 || Number.isNaN(instant)) return fallback(text);
  return new Date(instant);
}

/**
 * `Date.UTC(year, month - 1, ...)` in arithmetic (days from the civil date, H. Hinnant's
 * algorithm): Date.UTC is a call into the runtime, ~0.1 µs for each of the ~5 timestamps a user
 * brings. A month outside 1-12 (never printed) and NaN (a non-digit) are left to Date.UTC.
 */
export function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  if (!(month >= 1 && month <= 12)) return Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Years counted from March, so the leap day is the last day of the year.
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}

/** Type parsers for a pg client: pg's own, with the fast `timestamptz` reader above. */
export const sourceTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID && (format ?? 'text') === 'text') return parseTimestamptz;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads take any format string
    return pg.types.getTypeParser(oid, format as any);
  },
};
