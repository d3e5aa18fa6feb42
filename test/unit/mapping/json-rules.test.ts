import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/mapping/index.js';
import type { MapResult } from '../../../src/mapping/index.js';
import { source, spec } from './fixtures.js';

const ETH = '0x52908400098527886E0F7030069857D2E4169EE7';
const SOL = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

const map = compileMapping(
  spec({
    // A constant email, so that a user without wallets or OAuth accounts still has a way to sign in.
    fields: { email: { constant: 'ann@example.com' } },
    wallets: [
      {
        from: { json: 'profile.wallets' },
        address: 'addr',
        chain: { column: 'meta.chain', map: { ethereum: 'ETH', solana: 'SOL' }, unmapped: 'reject' },
        walletName: { column: 'label', default: 'Imported' },
        walletProvider: { constant: 'browserExtension' },
      },
    ],
    oauthAccounts: [
      { from: { json: 'identities' }, provider: 'provider', accountId: { column: 'id', transforms: ['string'] }, emails: 'data.email', profile: 'data' },
      { from: 'identities', provider: 'provider', accountId: 'uid', profile: 'identity_data' },
    ],
  }),
);

function payloadOf(result: MapResult) {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.rejections)}`);
  return result.payload;
}

describe('wallets and OAuth accounts from a JSON array', () => {
  it('builds one per element, reading element keys and paths, skipping elements without an address', () => {
    const payload = payloadOf(
      map(
        source({
          profile: { wallets: [{ addr: ETH, meta: { chain: 'ethereum' }, label: 'Main' }, { addr: null, meta: { chain: 'solana' } }, 'junk', { addr: SOL, meta: { chain: 'solana' } }] },
          identities: JSON.stringify([{ provider: 'github', id: 77, data: { email: 'a@b.co', login: 'ann' } }, { provider: 'google', id: ' ' }]),
        }),
      ),
    );
    expect(payload.wallets).toEqual([
      { publicWalletAddress: ETH, chain: 'ETH', walletName: 'Main', walletProvider: 'browserExtension' },
      { publicWalletAddress: SOL, chain: 'SOL', walletName: 'Imported', walletProvider: 'browserExtension' },
    ]);
    expect(payload.oauthAccounts).toEqual([{ provider: 'github', accountId: '77', emails: ['a@b.co'], profile: { email: 'a@b.co', login: 'ann' } }]);
  });

  it('reads nothing from a null or missing path', () => {
    const payload = payloadOf(map(source({ profile: null, identities: null })));
    expect(payload.wallets).toBeUndefined();
    expect(payload.oauthAccounts).toBeUndefined();
  });

  it('rejects a row whose JSON is not an array, or whose column is missing, naming the section', () => {
    const result = map(source({ profile: { wallets: { addr: ETH } } }));
    expect(!result.ok && result.rejections.map((r) => [r.field, r.rule])).toEqual([['wallets', 'type'], ['oauthAccounts', 'missing_column']]);
  });

  it('rejects an unmapped chain inside an element by its wallet index', () => {
    const result = map(source({ profile: { wallets: [{ addr: ETH, meta: { chain: 'doge' } }] }, identities: [] }));
    expect(!result.ok && result.rejections.map((r) => [r.field, r.rule])).toEqual([['wallets[0].chain', 'value_map']]);
  });
});

describe('OAuth profile', () => {
  it('passes an object through, and lets the contract reject anything else', () => {
    const ok = map(source({ profile: null, identities: null }, { identities: [{ provider: 'discord', uid: 'd1', identity_data: { username: 'ann#1' } }] }));
    expect(payloadOf(ok).oauthAccounts).toEqual([{ provider: 'discord', accountId: 'd1', profile: { username: 'ann#1' } }]);
    const bad = map(source({ profile: null, identities: null }, { identities: [{ provider: 'discord', uid: 'd1', identity_data: 'text' }] }));
    expect(!bad.ok && bad.rejections.map((r) => r.field)).toEqual(['oauthAccounts[0].profile']);
  });
});
