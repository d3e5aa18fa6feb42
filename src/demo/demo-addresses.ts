import { base58, bech32 } from '@scure/base';
import type { Prng } from './prng.js';

const HEX = '0123456789abcdef';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Legacy chain names of the demo schema; 'dogecoin' is one the example mapping does not map. */
export type DemoChain = 'ethereum' | 'polygon' | 'solana' | 'bitcoin' | 'dogecoin';

/**
 * An address for `chain` that passes its chain's check (see `checkWalletAddress`): EVM `0x` + 40
 * lower-case hex, Solana base58 of 32 random bytes, Bitcoin native segwit v0 (`bc1q…`, bech32 of
 * a 20-byte program, checksum included), Dogecoin `D` + 33 base58 (not checked: the example
 * mapping does not map dogecoin). These keys hold nothing.
 */
export function demoAddress(chain: DemoChain, rng: Prng): string {
  switch (chain) {
    case 'ethereum':
    case 'polygon':
      return `0x${rng.chars(HEX, 40)}`;
    case 'solana':
      return base58.encode(randomBytes(rng, 32));
    case 'bitcoin':
      return bech32.encode('bc', [0, ...bech32.toWords(randomBytes(rng, 20))]);
    case 'dogecoin':
      return `D${rng.chars(BASE58, 33)}`;
  }
}

function randomBytes(rng: Prng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => rng.int(0, 255));
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
