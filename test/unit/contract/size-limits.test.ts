import { describe, expect, it } from 'vitest';
import { codePointLength, fitsInChars, jsonFitsInBytes } from '../../../src/contract/size-limits.js';

const exactBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('codePointLength', () => {
  it('counts as the string iterator does: a surrogate pair is one, a lone surrogate one', () => {
    for (const text of ['', 'abc', 'Léa', '😀', 'a😀b😀', '\ud800', 'x\udc00y', '\ud800\ud800\udc00', '\udc00\ud800', 'e\u0301']) {
      expect(codePointLength(text)).toBe([...text].length);
    }
  });
});

describe('fitsInChars', () => {
  it('compares code points with the limit, not UTF-16 units', () => {
    expect(fitsInChars('abc', 3)).toBe(true);
    expect(fitsInChars('abcd', 3)).toBe(false);
    expect(fitsInChars('😀😀😀', 3)).toBe(true); // 6 units, 3 code points
    expect(fitsInChars('😀😀😀😀', 3)).toBe(false);
  });
});

describe('jsonFitsInBytes', () => {
  const samples: unknown[] = [
    {},
    { plan: 'pro', legacyId: '42', createdAt: '2020-01-01T00:00:00.000Z' },
    { text: 'Léa 😀 \u0001 "quoted" \\ \ud800', n: -1.2345678901234567e-308, ok: false, none: null, skipped: undefined, fn: () => 1 },
    { list: [1, undefined, () => 1, 'x', [], {}], nested: { deeper: { deepest: ['a'] } } },
    [, 1, , 2], // eslint-disable-line no-sparse-arrays
    { when: new Date(0), map: new Map([[1, 2]]), own: { toJSON: () => 'replaced by a very long text indeed' } },
  ];

  it('agrees with measuring JSON.stringify, at and around the exact size', () => {
    for (const value of samples) {
      const size = exactBytes(value);
      for (const limit of [0, size - 1, size, size + 1, size * 8]) expect(jsonFitsInBytes(value, limit)).toBe(size <= limit);
    }
  });

  it('measures large text exactly when the bound cannot settle it', () => {
    const control = { blob: '\u0001'.repeat(1000) }; // 6 bytes per character once escaped
    expect(jsonFitsInBytes(control, exactBytes(control))).toBe(true);
    expect(jsonFitsInBytes(control, exactBytes(control) - 1)).toBe(false);
  });

  it('leaves deep nesting, cycles and bigints to JSON.stringify (and its errors)', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 40; level += 1) deep = { level: deep };
    expect(jsonFitsInBytes(deep, exactBytes(deep))).toBe(true);
    expect(jsonFitsInBytes(deep, exactBytes(deep) - 1)).toBe(false);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonFitsInBytes(cycle, 10)).toThrow(TypeError);
    expect(() => jsonFitsInBytes({ big: 1n }, 10)).toThrow(TypeError);
  });
});
