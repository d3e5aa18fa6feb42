import type { SourceRow } from './source-row.js';

/**
 * The records a wallet or OAuth rule reads: the user row itself for `from: 'row'`, otherwise the
 * rows of that child. Malformed input (a missing child list, a non-object row) yields nothing
 * rather than an exception, so the mapper never throws.
 */
export function recordsFor(from: string, source: SourceRow): Readonly<Record<string, unknown>>[] {
  if (from === 'row') return isRecord(source.row) ? [source.row] : [];
  const children: unknown = isRecord(source.children) ? source.children[from] : undefined;
  return Array.isArray(children) ? children.filter(isRecord) : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
