import { readSourcePages, type SourceDb, type SourceRow } from '../extract/index.js';
import { compileMapping, type MappingSpec, type MapResult } from '../mapping/index.js';

/** Largest page read at once while sampling. */
const MAX_PAGE = 500;

/**
 * Maps the first `count` source rows in primary-key order (the source filter applied), exactly as
 * `run` would: the extractor's keyset pages and the compiled mapper; the rows as read come back
 * beside their results (for what the lookups found; the mapper has added its lookup and pick
 * records to them). Read-only; throws
 * `ExtractError` when a query fails.
 */
export async function sampleRows(db: SourceDb, spec: MappingSpec, count: number, signal?: AbortSignal): Promise<{ rows: SourceRow[]; results: MapResult[] }> {
  const map = compileMapping(spec);
  const rows: SourceRow[] = [];
  const results: MapResult[] = [];
  if (count <= 0) return { rows, results };
  const pageSize = Math.min(count, MAX_PAGE);
  for await (const page of readSourcePages(db, spec.source, { after: null, pageSize, ...(signal ? { signal } : {}) })) {
    for (const row of page) {
      rows.push(row);
      results.push(map(row));
      if (results.length >= count) return { rows, results };
    }
  }
  return { rows, results };
}
