import { describe, expect, it } from 'vitest';
import { maskPayload } from '../../../src/report/mask-payload.js';
import type { UserPayload } from '../../../src/contract/index.js';
import { ETH } from './fixtures.js';

const payload: UserPayload = {
  email: 'jane.doe@example.com',
  username: 'janedoe',
  firstName: 'Jane',
  lastName: 'Doe-Smith',
  phoneNumber: '+4915112345678',
  jobTitle: 'Head of Data',
  country: 'DE',
  emailVerifiedAt: '2024-01-02T03:04:05.000Z',
  newsletterNotification: true,
  metadata: { legacyId: '42', plan: 'enterprise', address: { street: 'Hauptstraße 1' } },
  wallets: [{ publicWalletAddress: ETH, chain: 'EVM', walletName: 'My Vault', walletProvider: 'browserExtension', additionalWalletAddresses: [{ address: 'bc1qsecretaddress', type: 'bitcoin-segwit' as never }] }],
  oauthAccounts: [{ provider: 'google', accountId: '1098765432', emails: ['jane@gmail.com'], displayName: 'Jane D', photos: ['https://example.com/p.png'] }],
};
const CLEAR = ['jane.doe@example.com', 'janedoe', 'Jane', 'Doe-Smith', '+4915112345678', 'Head of Data', 'enterprise', 'Hauptstraße', ETH, 'My Vault', 'bc1qsecretaddress', '1098765432', 'jane@gmail.com', 'Jane D', 'example.com/p.png'];

describe('maskPayload', () => {
  it('masks every personal value, metadata included', () => {
    const text = JSON.stringify(maskPayload(payload, 'legacyId'));
    for (const clear of CLEAR) expect(text, clear).not.toContain(clear);
  });

  it('keeps the shape, enums, flags, country and the legacy id readable', () => {
    const masked = maskPayload(payload, 'legacyId');
    expect(masked.email).toBe('j…m (20 chars)');
    expect(masked).toMatchObject({ country: 'DE', emailVerifiedAt: '2024-01-02T03:04:05.000Z', newsletterNotification: true });
    expect(masked.metadata).toEqual({ legacyId: '42', plan: 'e…e (10 chars)', address: 'object (1 key)' });
    expect(masked.wallets).toEqual([
      { publicWalletAddress: '0…7 (42 chars)', chain: 'EVM', walletName: 'M…t (8 chars)', walletProvider: 'browserExtension', additionalWalletAddresses: [{ address: 'b…s (17 chars)', type: 'bitcoin-segwit' }] },
    ]);
    expect(masked.oauthAccounts).toEqual([{ provider: 'google', accountId: '1…2 (10 chars)', emails: ['j…m (14 chars)'], displayName: 'J…D (6 chars)', photos: ['h…g (25 chars)'] }]);
  });

  it('masks a field it does not know (allowlist, not blocklist)', () => {
    const masked = maskPayload({ ...payload, team: 'Secret Team' } as UserPayload, 'legacyId');
    expect(masked.team).toBe('S…m (11 chars)');
  });
});
