import { describe, expect, it } from 'vitest';
import { formatChangeCursor, parseChangeCursor } from '../../../src/extract/change-cursor.js';
import { ExtractError } from '../../../src/errors.js';

describe('change cursor text', () => {
  it('round-trips exactly, microseconds and odd keys included', () => {
    const cursor = { at: '2026-05-01 10:00:00.123456+00', key: 'a"b\\c' };
    const text = formatChangeCursor(cursor);
    expect(text).toBe('["2026-05-01 10:00:00.123456+00","a\\"b\\\\c"]');
    expect(parseChangeCursor(text)).toEqual(cursor);
    expect(parseChangeCursor(formatChangeCursor({ at: '-infinity', key: '' }))).toEqual({ at: '-infinity', key: '' });
  });

  it.each(['123', '', '["x"]', '["", "1"]', '[1, "2"]', '{"at":"x","key":"1"}', 'not json'])('refuses %j', (text) => {
    expect(() => parseChangeCursor(text)).toThrow(ExtractError);
  });
});
