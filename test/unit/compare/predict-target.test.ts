import { describe, expect, it } from 'vitest';
import { lookupKeyOf, predictTarget } from '../../../src/compare/index.js';

describe('predictTarget', () => {
  it('predicts create when nobody in Dynamic has the email or username', () => {
    expect(predictTarget('7', [])).toBe('create');
  });

  it('predicts update when the holder carries this legacy id', () => {
    expect(predictTarget('7', [{ legacyId: '7' }])).toBe('update');
  });

  it('predicts conflict when the holder carries another legacy id', () => {
    expect(predictTarget('7', [{ legacyId: '8' }])).toBe('conflict');
  });

  it('predicts conflict when the holder carries no legacy id (not created by a migration)', () => {
    expect(predictTarget('7', [{ legacyId: null }])).toBe('conflict');
  });

  it('predicts update only when every holder is this user', () => {
    expect(predictTarget('7', [{ legacyId: '7' }, { legacyId: '7' }])).toBe('update');
    expect(predictTarget('7', [{ legacyId: '7' }, { legacyId: null }])).toBe('conflict');
  });

  it('compares legacy ids as text, exactly', () => {
    expect(predictTarget('07', [{ legacyId: '7' }])).toBe('conflict');
  });
});

describe('lookupKeyOf', () => {
  it('looks up by email first, then by username, else not at all', () => {
    expect(lookupKeyOf({ email: 'a@b.io', username: 'ann' })).toEqual({ column: 'email', value: 'a@b.io' });
    expect(lookupKeyOf({ username: 'ann' })).toEqual({ column: 'username', value: 'ann' });
    expect(lookupKeyOf({ username: null })).toBeNull();
  });
});
