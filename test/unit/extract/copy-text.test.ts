import { describe, expect, it } from 'vitest';
import { ExtractError } from '../../../src/errors.js';
import { copyLineParser, parseCopyLine, unescapeCopyText, type CopyColumn } from '../../../src/extract/copy-text.js';

const text = (name: string): CopyColumn => ({ name, parse: (value) => value });

describe('unescapeCopyText', () => {
  it('turns the escapes PostgreSQL writes back into their characters', () => {
    expect(unescapeCopyText('a\\tb\\nc\\rd\\\\e')).toBe('a\tb\nc\rd\\e');
    expect(unescapeCopyText('\\b\\f\\v')).toBe('\b\f\v');
    expect(unescapeCopyText('\\\\N')).toBe('\\N');
  });

  it('reads the octal and hex forms, and keeps a character whose escape means nothing', () => {
    expect(unescapeCopyText('\\101\\x42\\7')).toBe('AB\x07');
    expect(unescapeCopyText('\\q')).toBe('q');
  });

  it('leaves text without backslashes as it is', () => {
    expect(unescapeCopyText('plain ünïcode 🦊')).toBe('plain ünïcode 🦊');
  });
});

describe('parseCopyLine', () => {
  const columns: CopyColumn[] = [text('id'), { name: 'n', parse: Number }, text('note')];

  it('names the fields by column, parses each by its type and reads \\N as null', () => {
    expect(parseCopyLine('7\t42\thello\\tworld', columns)).toEqual({ id: '7', n: 42, note: 'hello\tworld' });
    expect(parseCopyLine('7\t\\N\t', columns)).toEqual({ id: '7', n: null, note: '' });
    expect(parseCopyLine('7\t1\t\\\\N', columns)).toEqual({ id: '7', n: 1, note: '\\N' });
  });

  it('refuses a line with more or fewer fields than described columns', () => {
    expect(() => parseCopyLine('7\t42', columns)).toThrow(ExtractError);
    expect(() => parseCopyLine('7\t42\tnote\textra', columns)).toThrow(/4 fields where 3 columns/);
  });
});

describe('copyLineParser', () => {
  /** The compiled parser must give what the generic loop gives, or throw what it throws. */
  const sameAsGeneric = (line: string, columns: CopyColumn[]) => {
    let expected: unknown;
    try {
      expected = parseCopyLine(line, columns);
    } catch (error) {
      expect(() => copyLineParser(columns)(line)).toThrow((error as Error).message);
      return;
    }
    const row = copyLineParser(columns)(line);
    expect(row).toEqual(expected);
    expect(Object.keys(row)).toEqual(Object.keys(expected as object));
  };

  it('reads lines exactly as parseCopyLine does, \\N, escapes, empty fields and wrong field counts included', () => {
    const columns: CopyColumn[] = [text('id'), { name: 'n', parse: Number }, text('note')];
    for (const line of ['7\t42\thello\\tworld', '7\t\\N\t', '7\t1\t\\\\N', '\t\t', '7\t42', '7\t42\tnote\textra', '', 'ü\t3\t🦊']) sameAsGeneric(line, columns);
    for (const line of ['', 'one', '\\N', 'a\tb']) sameAsGeneric(line, [text('only')]);
  });

  it('takes any column name as a plain key: quotes, backslashes, code-like text, duplicates', () => {
    const columns: CopyColumn[] = [text('we"ird\\'), text("it's"), text('a}; throw 1; ({'), text('dup'), { name: 'dup', parse: Number }, text('line\u2028sep')];
    sameAsGeneric('1\t2\t3\t4\t5\t6', columns);
    expect(copyLineParser(columns)('1\t2\t3\t4\t5\t6')).toEqual({ 'we"ird\\': '1', "it's": '2', 'a}; throw 1; ({': '3', dup: 5, 'line\u2028sep': '6' });
  });

  it('keeps the generic loop for a column named __proto__', () => {
    const columns: CopyColumn[] = [text('id'), text('__proto__')];
    sameAsGeneric('1\tx', columns);
  });

  it('compiles once per column list', () => {
    const columns: CopyColumn[] = [text('id')];
    expect(copyLineParser(columns)).toBe(copyLineParser(columns));
  });
});
