import { describe, expect, it } from 'vitest';
import { maskText } from '../../../src/shared/mask.js';
import { registerSecret, scrubText } from '../../../src/shared/scrub-text.js';

// The registry of secrets lives for the process, so every test registers values of its own.
describe('scrubText', () => {
  it('removes a registered secret wherever it appears, however it is framed', () => {
    registerSecret('tok-Zq8Lr2Wv9Xp4');
    expect(scrubText('the token tok-Zq8Lr2Wv9Xp4 is not valid (tok-Zq8Lr2Wv9Xp4)')).toBe('the token [redacted] is not valid ([redacted])');
  });

  it('replaces the longest registered secret first, so no tail of a longer one is left', () => {
    registerSecret('pw-Kd7N');
    registerSecret('pw-Kd7N-and-more');
    expect(scrubText('got pw-Kd7N-and-more')).toBe('got [redacted]');
  });

  it('ignores values shorter than 4 characters, which would redact ordinary words', () => {
    registerSecret('an');
    registerSecret('');
    registerSecret(undefined);
    expect(scrubText('an answer')).toBe('an answer');
  });

  it('removes a bearer credential, as a header or echoed in a body', () => {
    expect(scrubText('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer [redacted]');
    expect(scrubText('{"auth":"bearer xyz123","ok":false}')).toBe('{"auth":"bearer [redacted]","ok":false}');
  });

  it("removes Dynamic's dyn_ tokens, but not a word that merely starts with dyn_", () => {
    expect(scrubText('token dyn_AbCd3fGh1jKl_mn-op refused')).toBe('token [redacted] refused');
    expect(scrubText('column dyn_flag')).toBe('column dyn_flag');
  });

  it('removes the password of any URL, keeping the user and host', () => {
    expect(scrubText('connect postgres://app:s3cr3t@db.internal:5432/legacy failed')).toBe('connect postgres://app:[redacted]@db.internal:5432/legacy failed');
    expect(scrubText('mongodb+srv://u:p%40ss@cluster0/x')).toBe('mongodb+srv://u:[redacted]@cluster0/x');
    expect(scrubText('https://api.example/v0/users')).toBe('https://api.example/v0/users');
  });

  it('removes a conninfo or query-string password, quoted or not', () => {
    expect(scrubText('host=db password=s3cr3t user=app')).toBe('host=db password=[redacted] user=app');
    expect(scrubText("host=db password = 'a b c' user=app")).toBe("host=db password = [redacted] user=app");
    expect(scrubText('postgres://db/x?password=s3cr3t&sslmode=require')).toBe('postgres://db/x?password=[redacted]&sslmode=require');
    expect(scrubText('PASSWORD=Hunter22')).toBe('PASSWORD=[redacted]');
  });

  it('masks every email address whole, in the one format of personal data (maskText)', () => {
    expect(scrubText('user jane.doe@example.com and "bob@mail.example.co.uk" exist')).toBe('user j…m (20 chars) and "b…k (22 chars)" exist');
    expect(scrubText('jane.doe@example.com')).toBe(maskText('jane.doe@example.com'));
    expect(scrubText('user jane.doe@example.com exists')).not.toMatch(/@|example/);
  });

  it('shortens to maxLength with an ellipsis, after scrubbing', () => {
    const long = `jane@example.org ${'x'.repeat(100)}`;
    const short = scrubText(long, { maxLength: 20 });
    expect(short).toHaveLength(20);
    expect(short.startsWith('j…g (16 chars) ')).toBe(true);
    expect(short.endsWith('…')).toBe(true);
    expect(scrubText('short', { maxLength: 20 })).toBe('short');
  });

  it('masks EVM wallet addresses and E.164 phone numbers that error texts quote, not ids or counts', () => {
    expect(scrubText('wallet 0x52908400098527886E0F7030069857D2E4169EE7 is linked; phone +14155550199 taken'))
      .toBe('wallet 0…7 (42 chars) is linked; phone +…9 (12 chars) taken');
    expect(scrubText('user 0f0e0d0c-0b0a-4909-8807-060504030201 after 12345678901 ms')).toBe('user 0f0e0d0c-0b0a-4909-8807-060504030201 after 12345678901 ms');
  });

  it('leaves text with nothing to hide as it is', () => {
    expect(scrubText('422 email_already_exists: invalid value at [0].email')).toBe('422 email_already_exists: invalid value at [0].email');
  });
});
