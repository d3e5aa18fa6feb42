import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { csvField } from '../cli/id-map-writer.js';
import type { Rejection } from '../mapping/index.js';

const REJECTS_CSV_HEADER = ['row_id', 'field', 'rule', 'masked_value', 'message'] as const;

/**
 * One line of `rejects.csv` (RFC 4180: quoted when needed, CRLF-terminated). The value is already
 * masked by the mapper. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is
 * prefixed with `'` in the value and message columns; row ids are left exact so they can be looked up.
 */
export function rejectsCsvLine(rejection: Rejection): string {
  const cells = [rejection.legacyId, rejection.field, rejection.rule, inert(rejection.value ?? ''), inert(rejection.message)];
  return `${cells.map((cell) => csvField(cell)).join(',')}\r\n`;
}

function inert(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** `rejects.csv`, written as rows are rejected: the file grows, memory does not. */
export interface RejectsCsvWriter {
  readonly path: string;
  readonly rows: number;
  write(rejection: Rejection): void;
  close(): Promise<void>;
}

/** Opens (truncates) the file with mode 0600 and writes the header. */
export function openRejectsCsv(path: string): RejectsCsvWriter {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const stream: Writable = createWriteStream(path, { flags: 'w', mode: 0o600 });
  stream.write(`${REJECTS_CSV_HEADER.join(',')}\r\n`);
  let rows = 0;
  return {
    path,
    get rows() {
      return rows;
    },
    write(rejection) {
      rows += 1;
      stream.write(rejectsCsvLine(rejection));
    },
    async close() {
      stream.end();
      await once(stream, 'close');
    },
  };
}
