import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { quoteLiteral, textArrayText } from '../../../src/extract/inline-values.js';
import { mulberry32 } from '../../../src/shared/mulberry32.js';

/** What the COPY reader's quoting must equal: pg's own, less its leading space. */
const pgLiteral = (text: string) => pg.escapeLiteral(text).trim();
/** pg's conversion of a bound value to the text it sends (not in pg's type declarations). */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

const randomText = (random: () => number, alphabet: readonly string[], maxLength: number) => {
  let text = '';
  const length = Math.floor(random() * maxLength);
  for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
};

describe('quoteLiteral', () => {
  it.each([
    '',
    'plain',
    "o'brien",
    "''",
    '\\',
    'back\\slash',
    "both ' and \\ here",
    '{"1","2\\"3","it\'s"}',
    ' E\'x\'',
    'tab\tnew\nline',
    'ünïcødé 🎉',
  ])('quotes %j exactly as pg.escapeLiteral does', (text) => {
    expect(quoteLiteral(text)).toBe(pgLiteral(text));
  });

  it('agrees with pg.escapeLiteral on random strings of quotes, backslashes and letters', () => {
    const random = mulberry32(6);
    const alphabet = ["'", '\\', '"', 'a', 'E', ' ', '{', ','];
    for (let round = 0; round < 2_000; round += 1) {
      const text = randomText(random, alphabet, 12);
      expect(quoteLiteral(text)).toBe(pgLiteral(text));
    }
  });
});

describe('textArrayText', () => {
  it('writes an array of strings as pg sends it', () => {
    for (const items of [[], ['1', '2', '30'], ['', 'NULL', 'a,b', '{x}', ' spaced '], ['say "hi"', 'back\\slash', '\\"'], ['ünïcødé 🎉', "it's"]]) {
      expect(textArrayText(items)).toBe(prepareValue(items));
    }
  });

  it('agrees with pg on random arrays of awkward strings', () => {
    const random = mulberry32(7);
    const alphabet = ['"', '\\', ',', '{', '}', "'", 'x', ' ', 'é'];
    for (let round = 0; round < 1_000; round += 1) {
      const items = Array.from({ length: Math.floor(random() * 6) }, () => randomText(random, alphabet, 8));
      expect(textArrayText(items)).toBe(prepareValue(items));
    }
  });
});
