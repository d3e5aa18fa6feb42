/**
 * The order the ledger is listed in. Legacy ids are stored as text, and text order puts `10` before
 * `9`; so canonical non-negative integers sort by length first (numeric order), everything else
 * (uuids, text keys) by its code points after them. The mapping is one-to-one, so the sort key is
 * also a unique keyset-pagination key.
 */
export function sortKey(legacyId: string): string {
  if (/^(?:0|[1-9][0-9]*)$/.test(legacyId) && legacyId.length < 1000) {
    return `n${String(legacyId.length).padStart(3, '0')}${legacyId}`;
  }
  return `t${legacyId}`;
}
