import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { userPayloadSchema } from '../../../src/contract/index.js';

// The same fields, interpreted: the compiled contract must answer exactly as they do.
const interpreted = z.strictObject(userPayloadSchema.shape);

const wallet = { publicWalletAddress: '0x52908400098527886e0f7030069857d2e4169ee7', chain: 'ETH', walletName: 'MetaMask', walletProvider: 'browserExtension' };
const payloads: unknown[] = [
  {},
  { email: 'a@x.io', firstName: 'Léa', username: 'lea_1', country: 'DE', metadata: { legacyId: '1' }, wallets: [wallet] },
  { oauthAccounts: [{ provider: 'github', accountId: '7', emails: ['a@x.io'], profile: { id: 7 } }], emailVerifiedAt: '2024-01-02T03:04:05.000Z' },
  { firstName: ' leading space', lastName: 'x'.repeat(256), email: 'not an email', username: 'ab', country: 'de' },
  { firstName: '😀'.repeat(255), alias: '😀'.repeat(256) },
  { wallets: [{ ...wallet, chain: 'DOGE' }, {}], oauthAccounts: [{ provider: 'myspace' }], unknownField: 1 },
  { metadata: { blob: 'x'.repeat(600_000) } },
  { metadata: 'not an object', policiesConsent: 'yes', btcWallet: 'nope', mfaBackupCodeAcknowledgement: null },
  'not an object',
];

describe('userPayloadSchema (compiled)', () => {
  it('accepts and refuses exactly what the interpreted fields do, with the same issues', () => {
    for (const payload of payloads) {
      const compiled = userPayloadSchema.safeParse(payload, { reportInput: true });
      const reference = interpreted.safeParse(payload, { reportInput: true });
      expect(compiled.success).toBe(reference.success);
      // What the mapper asks first: the yes-or-no check that builds no output.
      expect(userPayloadSchema.validate(payload)).toBe(reference.success);
      if (reference.success) expect(JSON.stringify(compiled.data)).toBe(JSON.stringify(reference.data));
      else expect(compiled.error?.issues).toEqual(reference.error.issues);
    }
  });

  it('still reports its own rule names and messages', () => {
    const result = userPayloadSchema.safeParse({ lastName: 'x'.repeat(256), metadata: { blob: 'x'.repeat(600_000) } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['lastName', 'longer than 255 characters'],
      ['metadata', 'larger than 524288 bytes serialized'],
    ]);
  });

  it('only checks: a valid payload with every field comes out as a deep copy of itself', () => {
    // The mapper keeps the object it built instead of zod's copy; a transform or default added to
    // the contract would make the two differ, and this would fail.
    const everyField = Object.fromEntries(Object.keys(userPayloadSchema.shape).map((key) => [key, undefined]));
    const full = {
      alias: 'Lea', firstName: 'Léa', lastName: 'Smith', jobTitle: 'Engineer', phoneNumber: '+14155550100', tShirtSize: 'M', team: 'Core',
      metadata: { legacyId: '1', nested: { a: [1, 'b', null] } }, mfaBackupCodeAcknowledgement: null, policiesConsent: true,
      country: 'DE', username: 'lea_1', btcWallet: null, kdaWallet: null, ltcWallet: null, ckbWallet: null, kasWallet: null, dogeWallet: null,
      emailNotification: true, discordNotification: false, newsletterNotification: true, emailVerifiedAt: '2024-01-02T03:04:05.000Z',
      email: 'lea@example.com',
      wallets: [{ ...wallet, additionalWalletAddresses: [{ address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', type: 'ordinals', publicKey: 'pk' }] }],
      oauthAccounts: [{ provider: 'github', accountId: '7', emails: ['lea@example.com'], displayName: 'Lea', username: 'lea', photos: ['https://example.com/a.png'], profile: { id: 7 } }],
    };
    expect(Object.keys(full).sort()).toEqual(Object.keys(everyField).sort());
    const parsed = userPayloadSchema.safeParse(full);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data).toStrictEqual(full);
  });
});
