import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz, sourceTypeParsers, TIMESTAMPTZ_OID, utcMillis } from '../../../src/extract/timestamptz-parser.js';

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

  it('computes the instant of a date and time as Date.UTC does', () => {
    let state = 11;
    const next = (below: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state % below;
    };
    const fields: Array<[number, number, number, number, number, number, number]> = [
      [2000, 2, 29, 0, 0, 0, 0], [1900, 2, 29, 12, 0, 0, 0], [2100, 3, 1, 0, 0, 0, 0], [1970, 1, 1, 0, 0, 0, 0], [1000, 1, 1, 0, 0, 0, 0],
      [9999, 12, 31, 23, 59, 59, 999], [2023, 4, 31, 0, 0, 0, 0], [2023, 13, 1, 0, 0, 0, 0], [2023, 0, 1, 0, 0, 0, 0], [2023, Number.NaN, 1, 0, 0, 0, 0], [2023, 1, Number.NaN, 0, 0, 0, 0],
    ];
    for (let index = 0; index < 20_000; index++) fields.push([1000 + next(9000), 1 + next(12), 1 + next(31), next(24), next(60), next(60), next(1000)]);
    for (const [year, month, day, hour, minute, second, millis] of fields) {
      expect(utcMillis(year, month, day, hour, minute, second, millis), `${year}-${month}-${day} ${hour}:${minute}:${second}.${millis}`).toBe(Date.UTC(year, month - 1, day, hour, minute, second, millis));
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
