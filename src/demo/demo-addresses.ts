import type { Prng } from './prng.js';

const HEX = '0123456789abcdef';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Legacy chain names of the demo schema; 'dogecoin' is one the example mapping does not map. */
export type DemoChain = 'ethereum' | 'polygon' | 'solana' | 'bitcoin' | 'dogecoin';

/**
 * A valid-looking address for `chain`: EVM `0x` + 40 hex, Solana base58 of 32 to 44 characters,
 * Bitcoin native segwit `bc1q` + 38 bech32 characters, Dogecoin `D` + 33 base58. Shapes only: no
 * checksums, these keys hold nothing.
 */
export function demoAddress(chain: DemoChain, rng: Prng): string {
  switch (chain) {
    case 'ethereum':
    case 'polygon':
      return `0x${rng.chars(HEX, 40)}`;
    case 'solana':
      return rng.chars(BASE58, rng.int(32, 44));
    case 'bitcoin':
      return `bc1q${rng.chars(BECH32, 38)}`;
    case 'dogecoin':
      return `D${rng.chars(BASE58, 33)}`;
  }
}

/** Wallet software per chain, as the legacy app recorded it, with its display name. */
export const WALLET_PROVIDERS_BY_CHAIN: Record<DemoChain, readonly string[]> = {
  ethereum: ['metamask', 'walletconnect', 'coinbase'],
  polygon: ['metamask', 'walletconnect'],
  solana: ['phantom', 'walletconnect'],
  bitcoin: ['coinbase', 'walletconnect'],
  dogecoin: ['walletconnect'],
};

export const WALLET_NAMES: Record<string, string> = {
  metamask: 'MetaMask',
  phantom: 'Phantom',
  walletconnect: 'WalletConnect',
  coinbase: 'Coinbase Wallet',
};
