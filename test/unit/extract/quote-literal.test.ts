import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../../src/extract/inline-values.js';
import { mulberry32 } from '../../../src/shared/mulberry32.js';

/** What the COPY reader's quoting must equal: pg's own, less its leading space. */
const pgLiteral = (text: string) => pg.escapeLiteral(text).trim();

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
      let text = '';
      const length = Math.floor(random() * 12);
      for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(quoteLiteral(text)).toBe(pgLiteral(text));
    }
  });
});
