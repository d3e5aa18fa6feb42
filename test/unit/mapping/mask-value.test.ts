import { describe, expect, it } from 'vitest';
import { maskValue } from '../../../src/mapping/index.js';

describe('maskValue', () => {
  it('keeps at most the first and last character and the length', () => {
    expect(maskValue('jane.doe@acme.com')).toBe('j…m (17 chars)');
    expect(maskValue('abcde')).toBe('a…e (5 chars)');
  });

  it('shows less of short values, since first and last would be all of them', () => {
    expect(maskValue('abcd')).toBe('a… (4 chars)');
    expect(maskValue('ab')).toBe('… (2 chars)');
    expect(maskValue('a')).toBe('… (1 char)');
    expect(maskValue('')).toBe('"" (0 chars)');
  });

  it('counts code points, so an emoji is never cut in half', () => {
    expect(maskValue('Bob 🚀')).toBe('B…🚀 (5 chars)');
  });

  it('never shows the middle of a value', () => {
    const masked = maskValue('sensitive-secret-value');
    expect(masked).not.toContain('secret');
  });

  it('describes other kinds without their content', () => {
    expect(maskValue(4155550123)).toBe('number 4…3 (10 chars)');
    expect(maskValue(true)).toBe('true');
    expect(maskValue(null)).toBe('null');
    expect(maskValue({ ssn: '123-45-6789' })).toBe('object (1 key)');
    expect(maskValue(['a', 'b'])).toBe('array (2 items)');
    expect(maskValue(new Date('2020-01-01T00:00:00Z'))).toBe('date 2…Z (24 chars)');
  });
});
