import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Append-only JSON-lines file. Mode 0600: these files hold personal data. */
export interface JsonlWriter {
  readonly path: string;
  readonly lines: number;
  write(record: unknown): void;
  close(): Promise<void>;
}

/**
 * Writes are synchronous, so memory is bounded however fast rows arrive (a stream's unawaited
 * writes would queue without limit). `chunkChars` gathers lines into chunks of about that size, one
 * system call each, for high-volume files whose tail may be lost in a crash (the dry run's
 * payloads); by default every line is on disk as soon as it is written.
 */
export function openJsonlWriter(path: string, options: { chunkChars?: number } = {}): JsonlWriter {
  const chunkChars = options.chunkChars ?? 0;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'w', 0o600);
  let lines = 0;
  let chunk = '';
  const flush = () => {
    if (chunk.length > 0) writeSync(fd, chunk);
    chunk = '';
  };
  return {
    path,
    get lines() {
      return lines;
    },
    write(record) {
      lines += 1;
      chunk += `${JSON.stringify(record)}\n`;
      if (chunk.length >= chunkChars) flush();
    },
    async close() {
      flush();
      closeSync(fd);
    },
  };
}
