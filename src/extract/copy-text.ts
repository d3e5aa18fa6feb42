// Hand-written with copy-reader.ts, where its benchmark figure is: pays only as part of reading with COPY.
import { ExtractError } from '../errors.js';

/** One column of a COPY result: its name in the row object and the text parser of its type (pg's). */
export interface CopyColumn {
  name: string;
  parse: (text: string) => unknown;
}

const NAMED_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const ESCAPE = /\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([\s\S]))/g;

/**
 * A field of COPY's text format as the value's own text. PostgreSQL writes a backslash, a tab, a
 * newline and the other control characters with a backslash escape (`\\`, `\t`, `\n`, ...); the
 * octal and hex forms are read too, as COPY FROM would.
 */
export function unescapeCopyText(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(ESCAPE, (_escape, octal: string | undefined, hex: string | undefined, char: string) => {
    if (octal !== undefined) return String.fromCharCode(Number.parseInt(octal, 8));
    if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16));
    return NAMED_ESCAPES[char] ?? char;
  });
}

/**
 * One line of `COPY ... TO STDOUT` text output (without its newline) as a row object, the way pg
 * builds rows: `\N` is null, every other field goes through its column's type parser. A line
 * with another number of fields than there are columns means the table changed under the read.
 */
export function parseCopyLine(line: string, columns: readonly CopyColumn[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  let start = 0;
  for (let index = 0; index < columns.length; index++) {
    let end = line.indexOf('\t', start);
    const last = index === columns.length - 1;
    if (end < 0 !== last) throw fieldCountError(line, columns.length);
    if (last) end = line.length;
    const field = line.slice(start, end);
    const column = columns[index] as CopyColumn;
    row[column.name] = field === '\\N' ? null : column.parse(unescapeCopyText(field));
    start = end + 1;
  }
  return row;
}

function fieldCountError(line: string, columns: number): ExtractError {
  return new ExtractError(`a row read with COPY has ${line.split('\t').length} fields where ${columns} columns were described; did the table change during the run?`);
}
