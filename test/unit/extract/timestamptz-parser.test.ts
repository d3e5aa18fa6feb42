import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz, sourceTypeParsers, TIMESTAMPTZ_OID } from '../../../src/extract/timestamptz-parser.js';

const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID) as (text: string) => unknown;
const asComparable = (value: unknown) => (value instanceof Date ? `date ${value.getTime()}` : `other ${String(value)}`);

describe('parseTimestamptz', () => {
  it('reads what PostgreSQL prints into the same instant as pg does, for every zone shape and fraction', () => {
    const samples = [
      '2020-01-01 00:01:00+00',
      '2024-02-29 23:59:59.999999+00',
      '2024-02-29 23:59:59.9995+00',
      '1999-12-31 23:00:00.1-05',
      '2023-06-15 12:34:56.123456+05:30',
      '2023-06-15 12:34:56.12+05:45',
      '1883-11-18 12:00:00-04:56:02',
      '2038-01-19 03:14:07.5+14',
      '1970-01-01 00:00:00-12',
    ];
    for (const text of samples) {
      const parsed = parseTimestamptz(text);
      expect(parsed, text).toBeInstanceOf(Date);
      expect(asComparable(parsed), text).toBe(asComparable(pgParse(text)));
    }
  });

  it('hands anything else to the fallback (BC, infinity, early years, odd shapes)', () => {
    const handed: string[] = [];
    const fallback = (text: string) => {
      handed.push(text);
      return 'fallback';
    };
    const odd = ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '2020-01-01 00:00:00', '2020-01-01T00:00:00+00', '2020-01-01 00:00:00+0x', '2020-01-01 00:00:00+00:00 extra'];
    for (const text of odd) expect(parseTimestamptz(text, fallback), text).toBe('fallback');
    expect(handed).toEqual(odd);
  });

  it('agrees with pg on the values that fall back', () => {
    for (const text of ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00']) {
      expect(asComparable(parseTimestamptz(text)), text).toBe(asComparable(pgParse(text)));
    }
  });

  it('is what a source connection uses for timestamptz text, and pg’s parser for other types', () => {
    expect(sourceTypeParsers.getTypeParser(TIMESTAMPTZ_OID, 'text')).toBe(parseTimestamptz);
    expect(sourceTypeParsers.getTypeParser(1114, 'text')).toBe(pg.types.getTypeParser(1114, 'text'));
    expect(sourceTypeParsers.getTypeParser(23)).toBe(pg.types.getTypeParser(23));
  });
});
