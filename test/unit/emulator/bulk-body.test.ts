import { describe, expect, it } from 'vitest';
import { parseBulkBody } from '../../../src/emulator/routes/bulk-body.js';

describe('parseBulkBody', () => {
  it('accepts 1..50 valid users', () => {
    expect(parseBulkBody(JSON.stringify([{ email: 'a@x.io' }]))).toEqual({ ok: true, users: [{ email: 'a@x.io' }] });
  });

  it('refuses non-JSON, non-arrays, empty and oversized arrays', () => {
    for (const text of ['{', '{}', '[]', JSON.stringify(Array.from({ length: 51 }, () => ({})))]) {
      const out = parseBulkBody(text);
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.refusal).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    }
  });

  it('names the user index, field and rule of every violation', () => {
    const out = parseBulkBody(JSON.stringify([{ email: 'ok@x.io' }, { country: 'us', firstname: 'x' }]));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.refusal.body.details).toEqual(
      expect.arrayContaining([
        { index: 1, field: 'country', rule: 'pattern', message: expect.any(String) },
        { index: 1, field: 'firstname', rule: 'unknown_field', message: expect.any(String) },
      ]),
    );
    expect(out.refusal.body.error).toMatch(/^1 user\(s\) violate the contract; first: users\[1\]\./);
  });
});
