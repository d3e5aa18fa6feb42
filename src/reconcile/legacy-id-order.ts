/**
 * Orders records by legacy id the way the ledger does: numeric ids numerically (`9` before `10`),
 * then anything else as text. Used with `Array.prototype.sort`.
 */
export function byLegacyId(a: { legacyId: string }, b: { legacyId: string }): number {
  return compareLegacyIds(a.legacyId, b.legacyId);
}

const NUMERIC = /^\d+$/;

export function compareLegacyIds(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
  } else if (aNumeric !== bNumeric) {
    return aNumeric ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
