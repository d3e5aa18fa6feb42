import { readSourcePages, type SourceDb } from '../extract/index.js';
import { compileMapping, type MappingSpec, type MapResult } from '../mapping/index.js';

/** Largest page read at once while sampling. */
const MAX_PAGE = 500;

/**
 * Maps the first `count` source rows in primary-key order (the source filter applied), exactly as
 * `run` would: the extractor's keyset pages and the compiled mapper. Read-only; throws
 * `ExtractError` when a query fails.
 */
export async function sampleRows(db: SourceDb, spec: MappingSpec, count: number, signal?: AbortSignal): Promise<MapResult[]> {
  const map = compileMapping(spec);
  const results: MapResult[] = [];
  if (count <= 0) return results;
  const pageSize = Math.min(count, MAX_PAGE);
  for await (const page of readSourcePages(db, spec.source, { after: null, pageSize, ...(signal ? { signal } : {}) })) {
    for (const row of page) {
      results.push(map(row));
      if (results.length >= count) return results;
    }
  }
  return results;
}
