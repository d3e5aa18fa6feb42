import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';

/** Append-only JSON-lines file. Mode 0600: these files hold personal data. */
export interface JsonlWriter {
  readonly path: string;
  readonly lines: number;
  write(record: unknown): void;
  close(): Promise<void>;
}

export function openJsonlWriter(path: string): JsonlWriter {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createWriteStream(path, { flags: 'w', mode: 0o600 });
  let lines = 0;
  return {
    path,
    get lines() {
      return lines;
    },
    write(record) {
      lines += 1;
      stream.write(`${JSON.stringify(record)}\n`);
    },
    async close() {
      stream.end();
      await once(stream, 'close');
    },
  };
}
