import { describe, expect, it } from 'vitest';
import { NO_ROOM, NOT_PLAIN, writeJsonBytes } from '../../../src/pipeline/json-bytes.js';

/** What writeJsonBytes writes for `value`, as text, in a target with room to spare. */
function written(value: unknown): string | number {
  const target = new Uint8Array(1 << 16);
  const end = writeJsonBytes(target, 0, value);
  return end < 0 ? end : Buffer.from(target.buffer, 0, end).toString('utf8');
}

/** A random JSON value: text mixing ASCII with escapes, control characters, DEL, accents, emoji, lone surrogates. */
function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
  if (pick === 0) return randomText(random);
  if (pick === 1) return [0, -0, 1.5, -7, 1e21, 2 ** 53, 1e-7, 123456789.125][Math.floor(random() * 8)];
  if (pick === 2) return random() < 0.5;
  if (pick === 3) return null;
  if (pick === 4) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let index = Math.floor(random() * 5); index > 0; index--) object[randomText(random)] = randomValue(random, depth + 1);
  return object;
}

const PIECES = ['a', 'Z', '0', ' ', '~', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '€', '🦊', '\ud800', '\udfff', '/', '<', '12'];

function randomText(random: () => number): string {
  let text = '';
  for (let index = Math.floor(random() * 12); index > 0; index--) text += random() < 0.7 ? 'plain' : (PIECES[Math.floor(random() * PIECES.length)] as string);
  return text;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('writeJsonBytes', () => {
  it('writes what JSON.stringify writes, as UTF-8', () => {
    const values: unknown[] = [
      { legacyId: '1', upsert: false, payload: { email: 'a@x.io', metadata: { plan: 'pro', n: 3, ok: true, none: null }, wallets: [{ chain: 'EVM' }], emails: [] } },
      { quote: 'say "hi"', slash: 'a\\b', newline: 'a\nb', tab: '\t', nul: '\u0000', del: '\u007f', accents: 'Zoë', euro: '€', fox: '🦊', lone: '\ud800x' },
      { '2': 'integer keys first', b: 1, '1': 'then', 'we"ird\nkey': 'keys escaped too' },
      [1, -0, 1e21, 1e-7, 0.1, -1.5e300, Number.NaN, Number.POSITIVE_INFINITY],
      { skipped: undefined, fn: () => 1, symbol: Symbol('s'), kept: 'yes' },
      Object.assign(Object.create(null) as object, { bare: 'object' }),
      '',
      'text',
      42,
      null,
      [],
      {},
    ];
    for (const value of values) expect(written(value)).toBe(JSON.stringify(value));
  });

  it('agrees with JSON.stringify on 2,000 random values', () => {
    const random = seeded(7);
    for (let index = 0; index < 2_000; index++) {
      const value = randomValue(random);
      expect(written(value)).toBe(JSON.stringify(value));
    }
  });

  it('leaves to JSON.stringify what it does not write itself', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    for (const value of [{ at: new Date(0) }, { p: new Point(1) }, { custom: { toJSON: () => 'x' } }, [1, undefined], { n: 1n }, undefined]) {
      expect(written(value)).toBe(NOT_PLAIN);
    }
  });

  it('writes from the offset, never into the last 32 bytes, and says when there is no room', () => {
    const record = { email: 'a@x.io', list: ['x'.repeat(40), 12345678.25, '€'.repeat(10)] };
    const json = Buffer.from(JSON.stringify(record));
    const fits = new Uint8Array(10 + json.length + 64).fill(0xff);
    expect(writeJsonBytes(fits, 10, record)).toBe(10 + json.length);
    expect(Buffer.from(fits.subarray(10, 10 + json.length)).equals(json)).toBe(true);
    expect(fits.subarray(0, 10).every((byte) => byte === 0xff)).toBe(true);

    for (let size = 0; size < json.length + 64; size++) {
      const target = new Uint8Array(size).fill(0xff);
      const end = writeJsonBytes(target, 0, record);
      expect(target.subarray(Math.max(0, size - 32)).every((byte) => byte === 0xff)).toBe(true);
      if (end !== NO_ROOM) expect(Buffer.from(target.subarray(0, end)).equals(json)).toBe(true);
    }
    expect(writeJsonBytes(new Uint8Array(json.length), 0, record)).toBe(NO_ROOM);
  });
});
