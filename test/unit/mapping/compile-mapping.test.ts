import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/mapping/index.js';
import type { MapResult } from '../../../src/mapping/index.js';
import { source, spec } from './fixtures.js';

function payloadOf(result: MapResult) {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.rejections)}`);
  return result.payload;
}

describe('compileMapping: fields and metadata', () => {
  it('copies, renames, transforms and sets constants', () => {
    const map = compileMapping(
      spec({
        fields: {
          email: { column: 'email', transforms: ['trim', 'lower'] },
          firstName: 'first_name',
          country: { column: 'country', transforms: ['upper'] },
          policiesConsent: { constant: true },
          emailVerifiedAt: { column: 'verified_at', transforms: ['isoTimestamp'] },
          newsletterNotification: { column: 'opt_in', transforms: ['boolean'] },
        },
      }),
    );
    const result = map(source({ email: '  Ann@Example.COM ', first_name: 'Ann', country: 'de', verified_at: new Date('2024-01-02T03:04:05Z'), opt_in: 't' }));
    expect(result).toEqual({
      ok: true,
      legacyId: '42',
      payload: {
        email: 'ann@example.com',
        firstName: 'Ann',
        country: 'DE',
        policiesConsent: true,
        emailVerifiedAt: '2024-01-02T03:04:05.000Z',
        newsletterNotification: true,
        metadata: { legacyId: '42' },
      },
    });
  });

  it('always puts the legacy id in metadata, under the configured key', () => {
    expect(payloadOf(compileMapping(spec({ fields: { email: 'email' } }))(source({ email: 'ann@example.com' }, {}, '7'))).metadata).toEqual({ legacyId: '7' });
    const custom = compileMapping(spec({ legacyIdKey: 'oldId', fields: { email: 'email' }, metadata: { plan: 'plan' } }));
    expect(payloadOf(custom(source({ email: 'ann@example.com', plan: 'pro' }, {}, 'a-uuid'))).metadata).toEqual({ oldId: 'a-uuid', plan: 'pro' });
  });

  it('omits fields and metadata entries whose value is null', () => {
    // The phone number is what this user signs in with, so that a null email can be left out.
    const map = compileMapping(
      spec({ fields: { email: 'email', phoneNumber: 'phone', lastName: { column: 'last_name', transforms: ['trim', 'nullIfEmpty'] } }, metadata: { plan: 'plan' } }),
    );
    const payload = payloadOf(map(source({ email: null, phone: '+14155552671', last_name: '   ', plan: null })));
    expect(payload).toEqual({ phoneNumber: '+14155552671', metadata: { legacyId: '42' } });
    expect(Object.keys(payload)).not.toContain('email');
  });

  it('turns driver values into JSON in metadata (Date → ISO, int8 text stays text, jsonb stays an object)', () => {
    const map = compileMapping(spec({ fields: { email: 'email' }, metadata: { createdAt: 'created_at', balance: 'balance', prefs: 'prefs' } }));
    const payload = payloadOf(map(source({ email: 'ann@example.com', created_at: new Date('2020-05-06T07:08:09Z'), balance: 12n, prefs: { theme: 'dark' } })));
    expect(payload.metadata).toEqual({ legacyId: '42', createdAt: '2020-05-06T07:08:09.000Z', balance: '12', prefs: { theme: 'dark' } });
  });

  it('applies the default when the value ends up null', () => {
    const map = compileMapping(spec({ fields: { email: 'email', team: { column: 'team', transforms: ['nullIfEmpty'], default: 'Legacy' } } }));
    expect(payloadOf(map(source({ email: 'ann@example.com', team: '' }))).team).toBe('Legacy');
    expect(payloadOf(map(source({ email: 'ann@example.com', team: 'Core' }))).team).toBe('Core');
  });
});

describe('compileMapping: value maps', () => {
  const withMode = (unmapped?: 'keep' | 'null' | 'reject') =>
    compileMapping(spec({ fields: { email: { constant: 'ann@example.com' } }, metadata: { tier: { column: 'plan', map: { free: 'basic', pro: 'premium', 1: 'one' }, ...(unmapped ? { unmapped } : {}) } } }));

  it('translates mapped values, keyed by the value as text', () => {
    expect(payloadOf(withMode()(source({ plan: 'pro' }))).metadata?.tier).toBe('premium');
    expect(payloadOf(withMode()(source({ plan: 1 }))).metadata?.tier).toBe('one');
  });

  it('keeps an unmapped value by default', () => {
    expect(payloadOf(withMode()(source({ plan: 'team' }))).metadata?.tier).toBe('team');
    expect(payloadOf(withMode('keep')(source({ plan: 'team' }))).metadata?.tier).toBe('team');
  });

  it('drops an unmapped value with unmapped: null', () => {
    expect(payloadOf(withMode('null')(source({ plan: 'team' }))).metadata).toEqual({ legacyId: '42' });
  });

  it('rejects the row for an unmapped value with unmapped: reject, with a masked value', () => {
    expect(withMode('reject')(source({ plan: 'enterprise' }))).toEqual({
      ok: false,
      legacyId: '42',
      rejections: [
        { legacyId: '42', field: 'metadata.tier', rule: 'value_map', message: 'has no entry in the value map (unmapped: reject)', value: 'e…e (10 chars)' },
      ],
    });
  });

  it('does not find inherited keys such as "constructor" in a map', () => {
    expect(withMode('reject')(source({ plan: 'constructor' })).ok).toBe(false);
    expect(payloadOf(withMode('keep')(source({ plan: 'toString' }))).metadata?.tier).toBe('toString');
  });

  it('leaves null alone: no lookup, so no rejection', () => {
    expect(payloadOf(withMode('reject')(source({ plan: null }))).metadata).toEqual({ legacyId: '42' });
  });
});
