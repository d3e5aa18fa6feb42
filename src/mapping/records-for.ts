import { markJsonRecord, readJsonColumnPath } from './column-path.js';
import type { RuleFrom } from './mapping-spec.js';
import type { RowContext } from './row-context.js';
import { RowProblem } from './row-problem.js';
import type { SourceRow } from './source-row.js';
import type { JsonValue } from './to-json-value.js';

/**
 * The records a wallet or OAuth rule reads: the user row itself for `from: 'row'`, the rows of a
 * child for `from: '<child>'`, or the elements of a JSON array in the user row for
 * `from: { json }` (elements that are not objects are skipped: they have no keys to read; a key
 * an element lacks reads as null, as JSON objects leave out what they do not have).
 * Malformed extractor input (a missing child list, a non-object row) yields nothing, so the
 * mapper never throws.
 * @throws RowProblem when the JSON column is missing, or holds something other than an array
 */
function recordsFor(from: RuleFrom, source: SourceRow): readonly Readonly<Record<string, unknown>>[] {
  if (typeof from === 'object') {
    const array = readJsonColumnPath(isRecord(source.row) ? source.row : {}, from.json);
    if (array === null) return [];
    if (!Array.isArray(array)) throw new RowProblem('type', `"${from.json}" is not a JSON array`);
    return array.filter((element): element is Record<string, JsonValue> => isRecord(element)).map(markJsonRecord);
  }
  if (from === 'row') return isRecord(source.row) ? [source.row] : [];
  const children: unknown = isRecord(source.children) ? source.children[from] : undefined;
  if (!Array.isArray(children)) return [];
  // The extractor's list as it is (no copy per row) unless something in it is not a record.
  return children.every(isRecord) ? children : children.filter(isRecord);
}

/**
 * {@link recordsFor}, recording a problem under `field` (the list's name) instead of throwing.
 * @returns the records, or [] when a problem was recorded
 */
export function recordsOrProblem(from: RuleFrom, source: SourceRow, field: string, context: RowContext): readonly Readonly<Record<string, unknown>>[] {
  try {
    return recordsFor(from, source);
  } catch (error) {
    if (!(error instanceof RowProblem)) throw error;
    context.problems.push({ field, rule: error.rule, message: error.message });
    return [];
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
