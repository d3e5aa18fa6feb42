/**
 * Describes a value without disclosing it, for rejects files and logs: at most the first and
 * last character and the length (`j…m (17 chars)`). Short values show less, since first and last
 * of a two-letter value are the whole value. Booleans and null carry no personal data and show as is.
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

function maskText(text: string): string {
  // Code points, not UTF-16 units: an emoji must not be cut in half.
  const chars = [...text];
  const length = `(${chars.length} ${chars.length === 1 ? 'char' : 'chars'})`;
  if (chars.length === 0) return `"" ${length}`;
  if (chars.length <= 2) return `… ${length}`;
  if (chars.length <= 4) return `${chars[0]}… ${length}`;
  return `${chars[0]}…${chars[chars.length - 1]} ${length}`;
}
