/**
 * Wallet addresses checked per chain before they are sent. The API takes any non-empty string as
 * `publicWalletAddress`, so a truncated or mistyped address would become the user's wallet, one
 * nobody holds the key of; the checksums most chains carry catch that here, in the report.
 *
 * Decisions (see CHECKED_CHAINS): Bitcoin testnet/signet addresses are accepted beside mainnet,
 * since a Dynamic sandbox environment holds them, but regtest (`bcrt1`) is refused: it only exists
 * on a developer's machine. SPARK is passed through unchecked: no published address rule was found.
 */
import { ADDITIONAL_ADDRESS_TYPES, type WalletChain } from './enums.js';
import {
  checksumFault, decodeAlgorand, decodeBase58, decodeBase58check, decodeBech32Text, decodeSegwit, decodeTonFriendly,
  eip55, formatFault, isFault, wordsToBytes, type AddressFault,
} from './address-codecs.js';

export type AddressCheck = { ok: true; address: string } | { ok: false; rule: string; message: string };

/** What a chain's rule answers: the address to send, or the fault. */
type Verdict = string | AddressFault;
type ChainRule = { describe: string; check: (address: string, checksumEvm: boolean) => Verdict };

const hexRule = (pattern: RegExp, shape: string) => (address: string): Verdict =>
  pattern.test(address) ? address : formatFault(`is not ${shape}`);

function evm(address: string, checksumEvm: boolean): Verdict {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return formatFault('is not 0x and 40 hex digits');
  const digits = address.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  // Keccak only when there is a checksum to check or to make: most stored addresses are one case.
  if (!mixedCase && !checksumEvm) return address;
  const checksummed = eip55(digits.toLowerCase());
  if (mixedCase && checksummed !== address) return checksumFault('mixes case but does not match its EIP-55 checksum');
  return checksumEvm ? checksummed : address;
}

// Base58check versions: P2PKH and P2SH on mainnet (1…, 3…) and on testnet/signet (m…/n…, 2…).
const BTC_BASE58_VERSIONS: ReadonlySet<number> = new Set([0x00, 0x05, 0x6f, 0xc4]);

function bitcoin(address: string): Verdict {
  if (/^(bc|tb|bcrt)1/i.test(address)) {
    const segwit = decodeSegwit(address);
    if (isFault(segwit)) return segwit;
    return segwit.prefix === 'bcrt' ? formatFault('is a regtest (bcrt1) address') : address;
  }
  const payload = decodeBase58check(address, 21);
  if (isFault(payload)) return payload;
  return BTC_BASE58_VERSIONS.has(payload[0] ?? -1) ? address : formatFault('base58 version is not P2PKH or P2SH');
}

function cosmos(address: string): Verdict {
  const decoded = decodeBech32Text(address, 1023);
  if (isFault(decoded)) return decoded;
  if (decoded.variant !== 'bech32') return checksumFault('has a bech32m checksum; Cosmos addresses use bech32');
  const data = wordsToBytes(decoded.words);
  if (isFault(data)) return data;
  return data.length === 20 || data.length === 32 ? address : formatFault('data is not 20 or 32 bytes');
}

function solana(address: string): Verdict {
  return decodeBase58(address, 44)?.length === 32 ? address : formatFault('is not base58 of 32 bytes');
}

function tron(address: string): Verdict {
  const payload = decodeBase58check(address, 21);
  if (isFault(payload)) return payload;
  return payload[0] === 0x41 ? address : formatFault('does not start with version byte 0x41');
}

// Starknet contract addresses are reduced modulo 2^251 - 256 (cairo-lang's L2_ADDRESS_UPPER_BOUND,
// starknet.js's ADDR_BOUND), a tighter bound than the field prime 2^251 + 17·2^192 + 1.
const STARK_ADDRESS_BOUND = 2n ** 251n - 256n;

function starknet(address: string): Verdict {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(address)) return formatFault('is not 0x and 1 to 64 hex digits');
  return BigInt(address) < STARK_ADDRESS_BOUND ? address : { rule: 'address_range', message: 'is not below 2^251 - 256' };
}

const valueOrFault = (address: string, decoded: Uint8Array | AddressFault): Verdict => (isFault(decoded) ? decoded : address);

const algorand = (address: string): Verdict => valueOrFault(address, decodeAlgorand(address));

const ton = (address: string): Verdict =>
  /^(-1|0):[0-9a-fA-F]{64}$/.test(address) ? address : valueOrFault(address, decodeTonFriendly(address));

const EVM_RULE = '0x and 40 hex digits; mixed case must match the EIP-55 checksum';
const SOLANA_RULE = 'base58 decoding to a 32-byte public key';

const CHAIN_RULES: Readonly<Partial<Record<WalletChain, ChainRule>>> = {
  ETH: { describe: EVM_RULE, check: evm },
  EVM: { describe: EVM_RULE, check: evm },
  BTC: {
    describe: 'base58check P2PKH/P2SH (1…, 3…; testnet m…, n…, 2…) or segwit bc1/tb1: v0 in bech32 with a 20 or 32-byte program, v1 to v16 in bech32m with 2 to 40 bytes (BIP-173, BIP-350); mixed case and regtest bcrt1 refused',
    check: bitcoin,
  },
  SOL: { describe: SOLANA_RULE, check: solana },
  ECLIPSE: { describe: `a Solana address: ${SOLANA_RULE}`, check: solana },
  COSMOS: { describe: 'bech32 with any prefix (cosmos1…, osmo1…) and 20 or 32 bytes of data', check: cosmos },
  TRON: { describe: 'base58check of 21 bytes whose version byte is 0x41 (T…)', check: tron },
  SUI: { describe: '0x and 64 hex digits', check: hexRule(/^0x[0-9a-fA-F]{64}$/, '0x and 64 hex digits') },
  APTOS: {
    describe: '0x and 1 to 64 hex digits: the long form, or the short form with leading zeros left out',
    check: hexRule(/^0x[0-9a-fA-F]{1,64}$/, '0x and 1 to 64 hex digits'),
  },
  STARK: { describe: '0x and 1 to 64 hex digits, below 2^251 - 256 (the contract address bound)', check: starknet },
  ALGO: { describe: '58 characters of base32: a 32-byte public key and the last 4 bytes of its SHA-512/256', check: algorand },
  FLOW: {
    describe: '0x and 16 hex digits (8 bytes); the linear-code checksum is not checked',
    check: hexRule(/^0x[0-9a-fA-F]{16}$/, '0x and 16 hex digits'),
  },
  TON: {
    describe: 'raw (0: or -1: and 64 hex digits), or 48 characters of base64/base64url: tag, workchain, 32-byte hash and a CRC16-XMODEM checksum',
    check: ton,
  },
};

/** The chains whose addresses are checked, and a one-line description of the rule of each, for the mapping reference (docs/mapping.md). */
export const CHECKED_CHAINS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(CHAIN_RULES).map(([chain, rule]) => [chain, rule.describe])),
);

const answer = (label: string, verdict: Verdict): AddressCheck =>
  typeof verdict === 'string'
    ? { ok: true, address: verdict }
    : { ok: false, rule: verdict.rule, message: `${label} address ${verdict.message}` };

/**
 * Validates a wallet address for one of the contract's WALLET_CHAINS. `address` in the answer is the
 * address to send: unchanged, unless `checksumEvm` asks for the EIP-55 form of an ETH/EVM address.
 * A chain without a rule (SPARK) passes unchanged.
 */
export function checkWalletAddress(chain: WalletChain, address: string, options?: { checksumEvm?: boolean }): AddressCheck {
  const rule = CHAIN_RULES[chain];
  return rule ? answer(chain, rule.check(address, options?.checksumEvm ?? false)) : { ok: true, address };
}

type AdditionalAddressType = (typeof ADDITIONAL_ADDRESS_TYPES)[number];
const ADDITIONAL_CHAINS: Readonly<Record<AdditionalAddressType, WalletChain>> = {
  ordinals: 'BTC', payment: 'BTC', cosmos: 'COSMOS', evm: 'EVM',
};
const isAdditionalType = (type: string): type is AdditionalAddressType =>
  (ADDITIONAL_ADDRESS_TYPES as readonly string[]).includes(type);

/** Validates an additional wallet address: 'ordinals' and 'payment' as BTC, 'cosmos' as COSMOS, 'evm' as EVM. */
export function checkAdditionalAddress(type: string, address: string): AddressCheck {
  if (!isAdditionalType(type)) {
    return { ok: false, rule: 'address_type', message: `additional address type is not one of ${ADDITIONAL_ADDRESS_TYPES.join(', ')}` };
  }
  const rule = CHAIN_RULES[ADDITIONAL_CHAINS[type]];
  return rule ? answer(`${type} (${ADDITIONAL_CHAINS[type]})`, rule.check(address, false)) : { ok: true, address };
}
