import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const NEWLINE = 0x0a;

/** Append-only JSON-lines file. Mode 0600: these files hold personal data. */
export interface JsonlWriter {
  readonly path: string;
  readonly lines: number;
  write(record: unknown): void;
  close(): Promise<void>;
}

/**
 * Writes are synchronous, so memory is bounded however fast rows arrive (a stream's unawaited
 * writes would queue without limit). `chunkBytes` gathers lines into chunks of at most that many
 * bytes, one system call each, for high-volume files whose tail may be lost in a crash (the dry run's
 * payloads); by default every line is on disk as soon as it is written.
 */
export function openJsonlWriter(path: string, options: { chunkBytes?: number } = {}): JsonlWriter {
  const chunkBytes = options.chunkBytes ?? 0;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'w', 0o600);
  let lines = 0;
  // Lines are encoded straight into one reused buffer: building a string of the chunk and
  // encoding that at each flush copied every line twice more.
  const chunk = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  const flush = () => {
    if (used > 0) writeSync(fd, chunk, 0, used);
    used = 0;
  };
  const append = (line: string) => {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a line that might not fit goes out on its own.
    if (used + line.length * 3 + 1 > chunk.length) {
      flush();
      if (line.length * 3 + 1 > chunk.length) {
        writeSync(fd, `${line}\n`);
        return;
      }
    }
    used += chunk.write(line, used);
    chunk[used++] = NEWLINE;
  };
  return {
    path,
    get lines() {
      return lines;
    },
    write(record) {
      lines += 1;
      append(JSON.stringify(record));
    },
    async close() {
      flush();
      closeSync(fd);
    },
  };
}
