import { describe, expect, it } from 'vitest';
import { sortedKeys } from '../../../src/mapping/canonical-json.js';
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

  it('keeps the digests already stored in checkpoints', () => {
    const payload = {
      email: 'a@x.io',
      firstName: 'Léa',
      metadata: { legacyId: '1', plan: 'pro', nested: { z: [1, 'two', null], a: true } },
      wallets: [{ publicWalletAddress: '0xabc', chain: 'ETH' as const, walletName: 'n', walletProvider: 'qrCode' as const }],
      oauthAccounts: [{ provider: 'github' as const, accountId: '7', emails: ['a@x.io'] }],
    };
    expect(payloadHash(payload)).toBe('f0a87c5f8702cc36ca338afaa25ceef28ee8c5e15c6cfa24ba89a95f3be879f3');
  });
});

describe('canonicalJson', () => {
  it('sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('writes dates as ISO text and lists integer-like keys first, as JSON.stringify does', () => {
    expect(canonicalJson({ b: new Date(0), 10: 'ten', 2: 'two', a: [undefined, () => 1] })).toBe('{"2":"two","10":"ten","a":[null,null],"b":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('sortedKeys', () => {
  it('orders keys as Array.prototype.sort does, short lists and long', () => {
    const keys = ['walletProvider', 'chain', 'Zeta', 'éclair', 'a', 'publicWalletAddress', '_x', 'aa', 'A', '10', '9', '😀', 'ｚ', ''];
    for (const length of [0, 1, 2, 5, keys.length]) {
      const some = keys.slice(0, length);
      expect(sortedKeys([...some])).toEqual([...some].sort());
    }
    const many = Array.from({ length: 40 }, (_, index) => `k${(index * 7919) % 97}`);
    expect(sortedKeys([...many])).toEqual([...many].sort());
  });
});
