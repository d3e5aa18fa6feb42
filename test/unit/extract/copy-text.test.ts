import { describe, expect, it } from 'vitest';
import { ExtractError } from '../../../src/errors.js';
import { parseCopyLine, unescapeCopyText, type CopyColumn } from '../../../src/extract/copy-text.js';

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

  it('takes any column name as a plain key: quotes, backslashes, code-like text, a later duplicate winning', () => {
    const odd: CopyColumn[] = [text('we"ird\\'), text("it's"), text('a}; throw 1; ({'), text('dup'), { name: 'dup', parse: Number }, text('line\u2028sep')];
    expect(parseCopyLine('1\t2\t3\t4\t5\t6', odd)).toEqual({ 'we"ird\\': '1', "it's": '2', 'a}; throw 1; ({': '3', dup: 5, 'line\u2028sep': '6' });
  });
});
