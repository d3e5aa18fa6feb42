/**
 * The text encodings wallet addresses are written in, decoded with @scure/base and checked with
 * @noble/hashes. Each decoder answers the bytes or an `AddressFault`; no message ever quotes the
 * address, because messages are written to reports and addresses are personal data.
 */
import { base32nopad, base58, base64, base64url, bech32, bech32m, createBase58check, type BytesCoder } from '@scure/base';
import { sha256, sha512_256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import crc16xmodem from 'crc/calculators/crc16xmodem';

export type AddressRule = 'address_format' | 'address_checksum' | 'address_range';
export type AddressFault = { rule: AddressRule; message: string };

export const formatFault = (message: string): AddressFault => ({ rule: 'address_format', message });
export const checksumFault = (message: string): AddressFault => ({ rule: 'address_checksum', message });
export const isFault = (value: object): value is AddressFault => 'rule' in value;

const base58check = createBase58check(sha256);
const BASE58_TEXT = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * Base58 text to bytes, or undefined when it is not base58. Base58 decoding is quadratic, so text
 * longer than `maxChars` is refused before decoding starts.
 */
export function decodeBase58(text: string, maxChars: number): Uint8Array | undefined {
  if (text.length > maxChars || !BASE58_TEXT.test(text)) return undefined;
  return base58.decode(text);
}

/** A base58check payload of `payloadBytes` bytes (the 4 checksum bytes taken off). */
export function decodeBase58check(text: string, payloadBytes: number): Uint8Array | AddressFault {
  // 1.37 base58 characters per byte, rounded up, plus the leading-zero characters: 2 per byte is a safe bound.
  const raw = decodeBase58(text, 2 * (payloadBytes + 4));
  if (raw?.length !== payloadBytes + 4) return formatFault(`is not base58check text of ${payloadBytes} bytes`);
  try {
    return base58check.decode(text);
  } catch {
    return checksumFault('base58check checksum does not match');
  }
}

const BECH32_TEXT = /^[\x21-\x7e]{1,83}1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$/;
export type Bech32Text = { prefix: string; words: number[]; variant: 'bech32' | 'bech32m' };

/**
 * Bech32 (BIP-173) or bech32m (BIP-350) text, whichever checksum matches (no text matches both).
 * `limit` is the longest text accepted: 90 in Bitcoin, 1023 in the Cosmos SDK.
 */
export function decodeBech32Text(text: string, limit: number): Bech32Text | AddressFault {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) return formatFault('mixes upper and lower case');
  if (text.length > limit || !BECH32_TEXT.test(lower)) return formatFault('is not bech32 text (prefix, "1", data)');
  const plain = bech32.decodeUnsafe(text, limit);
  if (plain) return { prefix: plain.prefix, words: plain.words, variant: 'bech32' };
  const modified = bech32m.decodeUnsafe(text, limit);
  if (modified) return { prefix: modified.prefix, words: modified.words, variant: 'bech32m' };
  return checksumFault('bech32 checksum does not match');
}

/** 5-bit words to bytes, refusing the padding BIP-173 forbids (over 4 bits, or not zero). */
export function wordsToBytes(words: number[]): Uint8Array | AddressFault {
  return bech32.fromWordsUnsafe(words) ?? formatFault('has invalid bech32 padding');
}

export type WitnessProgram = { prefix: string; version: number; program: Uint8Array };

/** A native segwit address: version 0 in bech32 (20 or 32 bytes), versions 1 to 16 in bech32m (2 to 40 bytes). */
export function decodeSegwit(text: string): WitnessProgram | AddressFault {
  const decoded = decodeBech32Text(text, 90);
  if (isFault(decoded)) return decoded;
  const [version, ...data] = decoded.words;
  if (version === undefined || version > 16) return formatFault('has no segwit version 0 to 16');
  if ((version === 0) !== (decoded.variant === 'bech32')) {
    return checksumFault(version === 0 ? 'segwit v0 needs a bech32 checksum, not bech32m' : 'segwit v1+ needs a bech32m checksum (BIP-350), not bech32');
  }
  const program = wordsToBytes(data);
  if (isFault(program)) return program;
  if (program.length < 2 || program.length > 40) return formatFault('segwit program is not 2 to 40 bytes');
  if (version === 0 && program.length !== 20 && program.length !== 32) return formatFault('segwit v0 program is not 20 or 32 bytes');
  return { prefix: decoded.prefix, version, program };
}

/** EIP-55: each hex letter upper-cased where the matching nibble of keccak-256(lower-case hex) is 8 or more. */
export function eip55(lowerHex40: string): string {
  const hash = bytesToHex(keccak_256(utf8ToBytes(lowerHex40)));
  let out = '0x';
  for (let i = 0; i < lowerHex40.length; i++) {
    const digit = lowerHex40.charAt(i);
    out += parseInt(hash.charAt(i), 16) >= 8 ? digit.toUpperCase() : digit;
  }
  return out;
}

/** Algorand: 58 base32 characters, a 32-byte public key then the last 4 bytes of its SHA-512/256. */
export function decodeAlgorand(text: string): Uint8Array | AddressFault {
  if (!/^[A-Z2-7]{58}$/.test(text)) return formatFault('is not 58 characters of base32');
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(text);
  } catch {
    return formatFault('has non-zero base32 padding bits');
  }
  const digest = sha512_256(bytes.subarray(0, 32));
  if (bytesToHex(digest.subarray(-4)) !== bytesToHex(bytes.subarray(32))) return checksumFault('does not match its SHA-512/256 checksum');
  return bytes.subarray(0, 32);
}

const TON_TAGS: ReadonlySet<number> = new Set([0x11, 0x51]); // bounceable, non-bounceable; 0x80 adds testnet

/**
 * TON's user-friendly form: 48 characters of base64url or base64 making 36 bytes: tag, workchain
 * (0 or 0xff for -1), 32-byte hash, then CRC16-XMODEM of the first 34 bytes, big-endian.
 */
export function decodeTonFriendly(text: string): Uint8Array | AddressFault {
  const bytes = text.length === 48 ? decodeEither([base64url, base64], text) : undefined;
  if (bytes?.length !== 36) return formatFault('is neither raw (0: or -1: and 64 hex digits) nor 48 characters of base64');
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(34);
  if (crc16xmodem(bytes.subarray(0, 34)) !== stored) return checksumFault('does not match its CRC16 checksum');
  const [tag = -1, workchain = -1] = bytes;
  if (!TON_TAGS.has(tag & 0x7f)) return formatFault('has an unknown address tag');
  return workchain === 0x00 || workchain === 0xff ? bytes : formatFault('workchain is not 0 or -1');
}

function decodeEither(codecs: BytesCoder[], text: string): Uint8Array | undefined {
  for (const codec of codecs) {
    try {
      return codec.decode(text);
    } catch {
      // not this alphabet; try the next
    }
  }
  return undefined;
}
