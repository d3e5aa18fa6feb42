import { describe, expect, it } from 'vitest';
import { suggestName } from '../../../src/check/index.js';

describe('suggestName', () => {
  const columns = ['id', 'email', 'first_name', 'last_name', 'created_at', 'user_id'];

  it('finds a misspelling, a swap of two letters and a case difference', () => {
    expect(suggestName('emial', columns)).toBe('email');
    expect(suggestName('emal', columns)).toBe('email');
    expect(suggestName('firstname', columns)).toBe('first_name');
    expect(suggestName('Created_At', columns)).toBe('created_at');
  });

  it('suggests nothing when no name is close', () => {
    expect(suggestName('phone', columns)).toBeUndefined();
    expect(suggestName('x', columns)).toBeUndefined();
  });

  it('prefers the closest candidate', () => {
    expect(suggestName('user_ids', ['users_id', 'user_id'])).toBe('user_id');
  });
});
