import { ConfigError, ExtractError, coerceError } from '../../errors.js';
import type { KeyRange, SourceSpec } from '../../extract/index.js';
import type { MapResult } from '../../mapping/index.js';

// The protocol between the coordinator and its map workers. Everything crosses by structured clone,
// so it is plain data: map results already are; errors travel as their class name and message.

/** What a worker is started with. The connection string stays in memory, like the coordinator's. */
export interface MapWorkerData {
  databaseUrl: string;
  mappingFile: string;
  /** The coordinator's mapping hash: a worker that loads a different file refuses to start. */
  mappingHash: string;
  /** The source as the coordinator reads it (with the columns to select): the workers read alike. */
  sourceSpec: SourceSpec;
}

export type WorkerRequest = { type: 'page'; id: number; range: KeyRange } | { type: 'close' };

/** One mapped row: all the coordinator needs of it (positions of a full pass are keys). */
export interface MappedRow {
  key: string;
  result: MapResult;
}

export interface WorkerErrorData {
  name: string;
  message: string;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; error: WorkerErrorData }
  | { type: 'page'; id: number; rows: MappedRow[] }
  | { type: 'page-failed'; id: number; error: WorkerErrorData };

export function errorData(thrown: unknown): WorkerErrorData {
  const error = coerceError(thrown);
  return { name: error.name, message: error.message };
}

/** The error a worker reported, as the class the in-thread path would have thrown (exit codes follow the class). */
export function errorFromData(data: WorkerErrorData): Error {
  if (data.name === 'ExtractError') return new ExtractError(data.message);
  if (data.name === 'ConfigError' || data.name === 'MappingError') return new ConfigError(data.message);
  return new Error(data.message);
}
