import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/mapping/index.js';
import type { MapResult } from '../../../src/mapping/index.js';
import { source, spec } from './fixtures.js';

const ETH = '0x52908400098527886E0F7030069857D2E4169EE7';
const SOL = '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV';

const chain = { column: 'chain', map: { ethereum: 'ETH', polygon: 'EVM', solana: 'SOL', bitcoin: 'BTC' }, unmapped: 'reject' } as const;
const provider = { column: 'provider', map: { metamask: 'browserExtension', phantom: 'browserExtension', walletconnect: 'walletConnect' } };

// A constant email, so that a user whose wallets are all skipped still has a way to sign in.
const email = { constant: 'ann@example.com' };

const walletMapping = spec({
  fields: { email },
  wallets: [
    { from: 'wallets', address: 'address', chain, walletName: 'wallet_name', walletProvider: provider },
    { from: 'row', address: { column: 'eth_address', transforms: ['trim', 'nullIfEmpty'] }, chain: { constant: 'ETH' }, walletName: { constant: 'MetaMask' }, walletProvider: { constant: 'browserExtension' } },
  ],
});

function payloadOf(result: MapResult) {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.rejections)}`);
  return result.payload;
}

describe('wallets', () => {
  const map = compileMapping(walletMapping);

  it('builds one wallet per child row, then the one on the user row', () => {
    const payload = payloadOf(
      map(
        source(
          { eth_address: ETH },
          {
            wallets: [
              { chain: 'solana', address: SOL, wallet_name: 'Phantom', provider: 'phantom' },
              { chain: 'polygon', address: ETH.toLowerCase(), wallet_name: 'WalletConnect', provider: 'walletconnect' },
            ],
          },
        ),
      ),
    );
    expect(payload.wallets).toEqual([
      { publicWalletAddress: SOL, chain: 'SOL', walletName: 'Phantom', walletProvider: 'browserExtension' },
      { publicWalletAddress: ETH.toLowerCase(), chain: 'EVM', walletName: 'WalletConnect', walletProvider: 'walletConnect' },
      { publicWalletAddress: ETH, chain: 'ETH', walletName: 'MetaMask', walletProvider: 'browserExtension' },
    ]);
  });

  it('skips a wallet whose address is null or blank, and leaves wallets out when none remain', () => {
    const payload = payloadOf(map(source({ eth_address: '  ' }, { wallets: [{ chain: 'solana', address: null, wallet_name: 'x', provider: 'phantom' }] })));
    expect(payload).toEqual({ email: 'ann@example.com', metadata: { legacyId: '42' } });
  });

  it('treats a user without the child list as having no children', () => {
    expect(payloadOf(map(source({ eth_address: null }))).wallets).toBeUndefined();
  });

  it('rejects a wallet on an unmapped chain, naming the wallet', () => {
    const result = map(source({ eth_address: null }, { wallets: [{ chain: 'dogecoin', address: 'DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L', wallet_name: 'WalletConnect', provider: 'walletconnect' }] }));
    expect(result).toEqual({
      ok: false,
      legacyId: '42',
      rejections: [{ legacyId: '42', field: 'wallets[0].chain', rule: 'value_map', message: expect.any(String) as string, value: 'd…n (8 chars)' }],
    });
  });

  it('reports a missing wallet name as the contract does (required)', () => {
    const result = map(source({ eth_address: null }, { wallets: [{ chain: 'solana', address: SOL, wallet_name: null, provider: 'phantom' }] }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejections).toEqual([{ legacyId: '42', field: 'wallets[0].walletName', rule: 'required', message: expect.any(String) as string }]);
  });

  it('reports a provider the API does not know (kept by unmapped: keep) as an enum violation', () => {
    const result = map(source({ eth_address: null }, { wallets: [{ chain: 'solana', address: SOL, wallet_name: 'Ledger', provider: 'ledger' }] }));
    expect(!result.ok && result.rejections.map((r) => [r.field, r.rule])).toEqual([['wallets[0].walletProvider', 'enum']]);
  });
});

describe('oauthAccounts', () => {
  const map = compileMapping(
    spec({
      fields: { email },
      oauthAccounts: [
        {
          from: 'identities',
          provider: { column: 'provider', map: { google_oauth2: 'google', github: 'github', discord: 'discord' }, unmapped: 'reject' },
          accountId: 'provider_uid',
          emails: 'email',
          displayName: 'display_name',
          username: 'username',
          photos: 'avatar_url',
        },
      ],
    }),
  );

  it('builds one account per child row; single strings become lists and nulls are dropped', () => {
    const payload = payloadOf(
      map(
        source({}, {
          identities: [
            { provider: 'google_oauth2', provider_uid: '1234567890', email: 'ann@example.com', display_name: 'Ann Lee', username: null, avatar_url: 'https://x/a.png' },
            { provider: 'github', provider_uid: '99', email: null, display_name: null, username: 'annlee', avatar_url: null },
          ],
        }),
      ),
    );
    expect(payload.oauthAccounts).toEqual([
      { provider: 'google', accountId: '1234567890', emails: ['ann@example.com'], displayName: 'Ann Lee', photos: ['https://x/a.png'] },
      { provider: 'github', accountId: '99', username: 'annlee' },
    ]);
  });

  it('keeps lists, dropping their nulls', () => {
    const payload = payloadOf(map(source({}, { identities: [{ provider: 'discord', provider_uid: '5', email: ['a@x.io', null, 'b@x.io'], display_name: null, username: null, avatar_url: [] }] })));
    expect(payload.oauthAccounts).toEqual([{ provider: 'discord', accountId: '5', emails: ['a@x.io', 'b@x.io'] }]);
  });

  it('skips an identity without an account id', () => {
    const payload = payloadOf(map(source({}, { identities: [{ provider: 'github', provider_uid: '', email: null, display_name: null, username: null, avatar_url: null }] })));
    expect(payload.oauthAccounts).toBeUndefined();
  });

  it('rejects an unmapped provider', () => {
    const result = map(source({}, { identities: [{ provider: 'myspace', provider_uid: '1', email: null, display_name: null, username: null, avatar_url: null }] }));
    expect(!result.ok && result.rejections.map((r) => [r.field, r.rule, r.value])).toEqual([['oauthAccounts[0].provider', 'value_map', 'm…e (7 chars)']]);
  });
});
