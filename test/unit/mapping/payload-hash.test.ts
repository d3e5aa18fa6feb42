import { describe, expect, it } from 'vitest';
import { canonicalJson, payloadHash } from '../../../src/mapping/index.js';

describe('payloadHash', () => {
  it('is the same whatever the key order, at every level', () => {
    const a = payloadHash({ email: 'a@x.io', metadata: { legacyId: '1', plan: 'pro' }, wallets: [{ publicWalletAddress: 'x', chain: 'ETH', walletName: 'n', walletProvider: 'qrCode' }] });
    const b = payloadHash({ wallets: [{ walletProvider: 'qrCode', walletName: 'n', chain: 'ETH', publicWalletAddress: 'x' }], metadata: { plan: 'pro', legacyId: '1' }, email: 'a@x.io' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any value, and with array order', () => {
    const base = payloadHash({ email: 'a@x.io', metadata: { legacyId: '1' } });
    expect(payloadHash({ email: 'a@x.io', metadata: { legacyId: '2' } })).not.toBe(base);
    expect(payloadHash({ oauthAccounts: [{ provider: 'github', accountId: '1' }, { provider: 'google', accountId: '2' }] })).not.toBe(
      payloadHash({ oauthAccounts: [{ provider: 'google', accountId: '2' }, { provider: 'github', accountId: '1' }] }),
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});
