import { describe, expect, it } from 'vitest';
import { identitiesOf, rekeyed, type Identity } from '../../../src/load/identity-holders.js';

describe('identities saved in a checkpoint before the keys changed', () => {
  const sui = '0xAB12000000000000000000000000000000000000000000000000000000000CD3';

  it('key a SUI wallet as today: the same wallet, not a former one', () => {
    // Saved by a version that compared SUI addresses with their case.
    const saved: Identity = { key: `wallet:SUI:${sui}`, column: 'walletPublicKey', value: sui };
    const today = identitiesOf({ wallets: [{ chain: 'SUI', publicWalletAddress: sui, walletName: 'Sui', walletProvider: 'browserExtension' }] } as never);
    expect(rekeyed(saved).key).toBe(today[0]!.key);
    expect(saved.key).not.toBe(today[0]!.key);
  });

  it('leave other identities, and case-sensitive chains, as saved', () => {
    const email: Identity = { key: 'email:ann@example.org', column: 'email', value: 'Ann@example.org' };
    const sol: Identity = { key: 'wallet:SOL:So1AbC', column: 'walletPublicKey', value: 'So1AbC' };
    expect(rekeyed(email)).toEqual(email);
    expect(rekeyed(sol)).toEqual(sol);
  });
});
