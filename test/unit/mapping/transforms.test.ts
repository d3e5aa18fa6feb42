import { describe, expect, it } from 'vitest';
import { parseTimestampText } from '../../../src/mapping/iso-timestamp.js';
import { RowProblem } from '../../../src/mapping/row-problem.js';
import { toJsonValue } from '../../../src/mapping/to-json-value.js';
import { applyTransform } from '../../../src/mapping/transforms.js';

describe('applyTransform', () => {
  it('shapes text', () => {
    expect(applyTransform('trim', '  Ann  ')).toBe('Ann');
    expect(applyTransform('lower', 'Ann@X.COM')).toBe('ann@x.com');
    expect(applyTransform('upper', 'de')).toBe('DE');
    expect(applyTransform('nullIfEmpty', '')).toBeNull();
    expect(applyTransform('nullIfEmpty', '   ')).toBeNull();
    expect(applyTransform('nullIfEmpty', 'x')).toBe('x');
    expect(applyTransform('nullIfEmpty', 0)).toBe(0);
  });

  it('passes SQL NULL through every transform', () => {
    for (const name of ['trim', 'lower', 'upper', 'nullIfEmpty', 'isoTimestamp', 'string', 'boolean'] as const) {
      expect(applyTransform(name, null)).toBeNull();
    }
  });

  it('reads the spellings of a boolean and rejects anything else', () => {
    for (const word of ['t', 'TRUE', 'yes', '1', ' Yes ', 1, true]) expect(applyTransform('boolean', word)).toBe(true);
    for (const word of ['f', 'false', 'NO', '0', 0, false]) expect(applyTransform('boolean', word)).toBe(false);
    for (const word of ['maybe', '', 2, { a: 1 }]) {
      expect(() => applyTransform('boolean', word)).toThrow(RowProblem);
    }
  });

  it('turns values into text', () => {
    expect(applyTransform('string', 12)).toBe('12');
    expect(applyTransform('string', false)).toBe('false');
    expect(applyTransform('string', { a: 1 })).toBe('{"a":1}');
  });

  it('refuses text transforms on non-text, with rule transform', () => {
    const problem = (() => {
      try {
        applyTransform('lower', 12);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(problem).toBeInstanceOf(RowProblem);
    expect(problem).toMatchObject({ rule: 'transform', value: 12 });
  });

  it('isoTimestamp accepts ISO text (what a Date becomes) and Postgres text', () => {
    expect(applyTransform('isoTimestamp', toJsonValue(new Date('2024-03-01T10:00:00Z')))).toBe('2024-03-01T10:00:00.000Z');
    expect(applyTransform('isoTimestamp', '2024-03-01 12:30:00+02')).toBe('2024-03-01T10:30:00.000Z');
    expect(() => applyTransform('isoTimestamp', 'next tuesday')).toThrow(RowProblem);
    expect(() => applyTransform('isoTimestamp', 1_700_000_000)).toThrow(RowProblem);
  });
});

describe('parseTimestampText', () => {
  it.each([
    ['2024-01-02 03:04:05+00', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02 03:04:05.123456+05:30', '2024-01-01T21:34:05.123Z'],
    ['2024-01-02 03:04:05-0800', '2024-01-02T11:04:05.000Z'],
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02 03:04:05', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02', '2024-01-02T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseTimestampText(text)).toBe(iso);
  });

  it.each(['', 'garbage', 'infinity', '2024-02-30 00:00:00', '2024-13-01', '2024-01-02 25:00:00', '2024-01-02 10:00:00+16'])(
    'rejects %j',
    (text) => {
      expect(parseTimestampText(text)).toBeUndefined();
    },
  );
});

describe('toJsonValue', () => {
  it('normalises driver values to JSON', () => {
    expect(toJsonValue(undefined)).toBeNull();
    expect(toJsonValue(12n)).toBe('12');
    expect(toJsonValue({ a: [new Date('2020-01-01T00:00:00Z'), undefined] })).toEqual({ a: ['2020-01-01T00:00:00.000Z', null] });
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => toJsonValue(Number.NaN)).toThrow(RowProblem);
    expect(() => toJsonValue(new Date('nope'))).toThrow(RowProblem);
    expect(() => toJsonValue(Buffer.from('x'))).toThrow(RowProblem);
    expect(() => toJsonValue(new Map())).toThrow(RowProblem);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => toJsonValue(cycle)).toThrow(/nested deeper/);
  });
});
