/**
 * Postgres timestamp text, as `timestamp`/`timestamptz` print it (`2024-01-02 03:04:05.123456+05:30`)
 * or as ISO-8601 (`2024-01-02T03:04:05Z`); a bare date means midnight.
 */
const PG_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses Postgres or ISO timestamp text into ISO-8601 UTC (`...Z`), or `undefined` when it is not
 * a real instant (garbage, `infinity`, 30 February). Text without a zone is read as UTC, which is
 * what a `timestamp without time zone` column holding UTC means; say so in the mapping if not.
 */
export function parseTimestampText(text: string): string | undefined {
  const match = PG_TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const parts = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = parts;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s, millis));
  // Date.UTC rolls 30 February over into March; a round trip exposes it.
  if (
    local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d ||
    local.getUTCHours() !== h || local.getUTCMinutes() !== mi || local.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  const offsetMinutes = parseOffset(zone);
  if (offsetMinutes === undefined) return undefined;
  return new Date(local.getTime() - offsetMinutes * 60_000).toISOString();
}

/** `Z`, `+05`, `+0530`, `-05:30` → minutes east of UTC. */
function parseOffset(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 15 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
