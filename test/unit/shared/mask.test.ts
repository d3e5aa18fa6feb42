import { describe, expect, it } from 'vitest';
import { maskIdentity, maskText, maskValue } from '../../../src/shared/mask.js';

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

describe('maskIdentity', () => {
  it('masks an identity key as any value, keeping only the chain or the provider', () => {
    expect(maskIdentity('email', 'jane.doe@example.com')).toBe('j…m (20 chars)');
    expect(maskIdentity('username', 'janedoe')).toBe('j…e (7 chars)');
    expect(maskIdentity('wallet', 'EVM:0xabcdef0000000000000000000000000000000001')).toBe('EVM:0…1 (42 chars)');
    expect(maskIdentity('oauth', 'google:1234567')).toBe('google:1…7 (7 chars)');
  });

  it('is the one format: the personal part reads as maskText shows it anywhere else', () => {
    expect(maskIdentity('email', 'jo@ex.io')).toBe(maskText('jo@ex.io'));
    expect(maskIdentity('wallet', 'SOL:So1AnaCaseMatters')).toBe(`SOL:${maskText('So1AnaCaseMatters')}`);
    expect(maskIdentity('username', 'ab')).toBe('… (2 chars)');
  });

  it('never shows the domain, the middle of an address or of an account id', () => {
    for (const [kind, key] of [['email', 'jane.doe@example.com'], ['wallet', 'EVM:0xabcdef0000000000000000000000000000000001'], ['oauth', 'google:1234567']] as const) {
      const masked = maskIdentity(kind, key);
      expect(masked).not.toMatch(/example|abcdef|2345|@/);
    }
  });
});
