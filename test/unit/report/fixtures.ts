import { compileMapping } from '../../../src/mapping/index.js';
import type { MapResult } from '../../../src/mapping/index.js';
import { source, spec } from '../mapping/fixtures.js';

export const ETH = '0x52908400098527886E0F7030069857D2E4169EE7';
export const SOL = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

export const mapping = spec({
  fields: {
    email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
    emailVerifiedAt: { column: 'verified', transforms: ['isoTimestamp'] },
    firstName: 'first_name',
    phoneNumber: 'phone',
  },
  metadata: { plan: 'plan' },
  wallets: [{ from: 'wallets', address: 'address', chain: { column: 'chain', map: { ethereum: 'ETH', solana: 'SOL' }, unmapped: 'reject' }, walletName: { constant: 'Imported' }, walletProvider: { constant: 'browserExtension' } }],
  oauthAccounts: [{ from: 'identities', provider: 'provider', accountId: 'uid', displayName: 'name' }],
});
export const map = compileMapping(mapping);

/** Row `i` of a synthetic source: every 10th has a bad email, every 3rd a verified one, every 4th a wallet. */
export function syntheticRow(i: number): MapResult {
  const bad = i % 10 === 0;
  return map(
    source(
      {
        email: bad ? `broken address ${i}` : `Person.${i}@Example.com`,
        verified: i % 3 === 0 ? new Date('2024-01-02T03:04:05Z') : null,
        first_name: i % 2 === 0 ? `Name${i}` : null,
        phone: '+4915112345678',
        plan: 'pro',
      },
      {
        wallets: i % 4 === 0 ? [{ chain: 'ethereum', address: ETH }] : [],
        identities: i % 5 === 0 ? [{ provider: 'github', uid: `gh-${i}`, name: `Display ${i}` }] : [],
      },
      String(i),
    ),
  );
}
