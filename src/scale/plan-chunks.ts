import { ConfigError } from '../errors.js';
import type { SourceDb } from '../extract/connect-source.js';
import { readKeyRanges } from '../extract/read-key-ranges.js';
import type { SourceSpec } from '../mapping/source-spec.js';
import type { ChunkJob } from './chunk-queue.js';

/**
 * Splits the source's full pass into chunks of `rowsPerChunk` rows (of those the source filter
 * lets through), numbered from 1, by the same keyset walk as the extractor's pages: never
 * equal-width key ranges, since legacy keys have gaps (ids 1..10 then 1000..1010 are two chunks of
 * ten, not a chunk of ten and ninety-nine empty ones), and text keys have no width at all.
 *
 * The chunks are contiguous (each one's `after` is the previous one's `last`), so a row the filter
 * skipped at planning time still falls in some chunk, and the last chunk's `last` is open (`null`),
 * so rows inserted above the highest key while the job runs are covered too. An empty source gives
 * one open chunk for the same reason. Reads one narrow key column per row, once.
 */
export async function planChunks(db: SourceDb, spec: SourceSpec, options: { job: string; rowsPerChunk: number; signal?: AbortSignal }): Promise<ChunkJob[]> {
  const { job, rowsPerChunk } = options;
  if (!Number.isInteger(rowsPerChunk) || rowsPerChunk < 1) throw new ConfigError(`rows per chunk must be a positive integer (got ${rowsPerChunk})`);
  const chunks: ChunkJob[] = [];
  const walk = readKeyRanges(db, spec, { after: null, pageSize: rowsPerChunk, ...(options.signal ? { signal: options.signal } : {}) });
  for await (const range of walk) chunks.push({ job, chunk: chunks.length + 1, after: range.after, last: range.last });
  const final = chunks.at(-1);
  if (!final) return [{ job, chunk: 1, after: null, last: null }];
  final.last = null;
  return chunks;
}
