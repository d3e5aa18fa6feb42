import { describe, expect, it } from 'vitest';
import { isCanonicalIso, parseTimestampByPattern, parseTimestampText } from '../../../src/mapping/iso-timestamp.js';

describe('isCanonicalIso', () => {
  it('recognises toISOString() text of real instants', () => {
    for (const text of ['2024-01-02T03:04:05.678Z', '2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '0100-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(isCanonicalIso(text)).toBe(true);
      expect(parseTimestampByPattern(text)).toBe(text);
    }
  });

  it('leaves everything else to the general parse', () => {
    const others = [
      '2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-00-10T00:00:00.000Z',
      '2024-01-00T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T00:60:00.000Z', '2024-01-01T00:00:60.000Z', '0050-01-01T00:00:00.000Z',
      '2024-01-01t00:00:00.000z', '2024-01-01T00:00:00.000Z ', ' 2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00Z', '2024-01-01 00:00:00.000Z',
      '2024-01-01T0a:00:00.000Z', '2024-01-01T00:00:00.0-0Z', '+02024-01-01T00:00:00.000Z', '2024-1-01T00:00:00.000Z', '',
    ];
    for (const text of others) expect(isCanonicalIso(text)).toBe(false);
  });

  it('never changes what parseTimestampText answers', () => {
    const samples = [
      '2024-02-30T00:00:00.000Z', '0050-06-15T12:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-02 03:04:05.123456+05:30', '1999-12-31',
      ...Array.from({ length: 500 }, (_, index) => new Date(-62_000_000_000_000 + index * 640_000_000_000 + index * 7_777).toISOString()),
    ];
    for (const text of samples) expect(parseTimestampText(text)).toBe(parseTimestampByPattern(text));
  });
});
