import { describe, expect, it } from 'vitest';
import { isLoopbackHost, passwordFlagWarning, registerCliSecrets, requireSecureApiUrl } from '../../../src/cli/secret-guards.js';
import { ConfigError } from '../../../src/errors.js';
import { scrubText } from '../../../src/shared/scrub-text.js';

describe('requireSecureApiUrl', () => {
  it('refuses plain http to another host with exit 2 and a reason naming the flag', () => {
    let thrown: unknown;
    try {
      requireSecureApiUrl('http://api.example.com/api/v0', false);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).exitCode).toBe(2);
    expect((thrown as ConfigError).message).toMatch(/--allow-insecure-api-url/);
    expect((thrown as ConfigError).message).not.toMatch(/\n/);
    expect(() => requireSecureApiUrl('http://10.0.0.5:4010/api/v0', false)).toThrow(ConfigError);
  });

  it('accepts https, loopback hosts, and plain http when allowed', () => {
    expect(() => requireSecureApiUrl('https://app.dynamicauth.com/api/v0', false)).not.toThrow();
    expect(() => requireSecureApiUrl('http://127.0.0.1:4010/api/v0', false)).not.toThrow();
    expect(() => requireSecureApiUrl('http://localhost:4010/api/v0', false)).not.toThrow();
    expect(() => requireSecureApiUrl('http://[::1]:4010/api/v0', false)).not.toThrow();
    expect(() => requireSecureApiUrl('http://api.example.com/api/v0', true)).not.toThrow();
  });
});

describe('isLoopbackHost', () => {
  it('is localhost, 127.0.0.0/8 and ::1, nothing else', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.3.4', '[::1]', '::1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['127.example.com', 'localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]', '0.0.0.0', 'example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('sees the loopback address however the URL spells it (WHATWG normalizes 127.1, 0x7f.0.0.1)', () => {
    expect(isLoopbackHost(new URL('http://127.1/').hostname)).toBe(true);
    expect(isLoopbackHost(new URL('http://0x7f.0.0.1/').hostname)).toBe(true);
    expect(isLoopbackHost(new URL('http://[0:0:0:0:0:0:0:1]/').hostname)).toBe(true);
  });
});

describe('passwordFlagWarning', () => {
  it('warns about a password in the flag, pointing to DATABASE_URL, without quoting it', () => {
    const warning = passwordFlagWarning('postgres://app:Hq3Vx8Rt5Jm1@db:5432/legacy');
    expect(warning).toMatch(/DATABASE_URL/);
    expect(warning).not.toMatch(/Hq3Vx8Rt5Jm1/);
    expect(passwordFlagWarning('postgres://app@db/legacy?password=Hq3Vx8Rt5Jm1')).toMatch(/DATABASE_URL/);
  });

  it('says nothing without a flag or without a password in it', () => {
    expect(passwordFlagWarning(undefined)).toBeUndefined();
    expect(passwordFlagWarning('postgres://app@db:5432/legacy')).toBeUndefined();
    expect(passwordFlagWarning('not a url')).toBeUndefined();
  });
});

describe('registerCliSecrets', () => {
  it('makes every output scrub the token and the database password, raw and percent-decoded', () => {
    registerCliSecrets({ token: 'tok-Wv9Xp4Kd7N', databaseUrl: 'postgres://app:p%40ss-Lr2W@db/legacy' });
    expect(scrubText('echo tok-Wv9Xp4Kd7N; password p@ss-Lr2W; encoded p%40ss-Lr2W')).toBe('echo [redacted]; password [redacted]; encoded [redacted]');
  });
});
