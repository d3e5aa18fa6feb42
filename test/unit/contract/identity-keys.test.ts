import { describe, expect, it } from 'vitest';
import { oauthKey, walletKey } from '../../../src/contract/identity-keys.js';

describe('walletKey', () => {
  it.each([
    ['ETH and EVM are one address space, hex in any case', 'ETH', '0xAbCdEf0000000000000000000000000000000001', 'EVM', '0xabcdef0000000000000000000000000000000001'],
    ['SUI hex ignores case', 'SUI', `0x${'Ab'.repeat(32)}`, 'SUI', `0x${'aB'.repeat(32)}`],
    ['APTOS hex ignores case', 'APTOS', '0xABC1', 'APTOS', '0xabc1'],
    ['STARK hex ignores case', 'STARK', '0x04A2', 'STARK', '0x04a2'],
    ['FLOW hex ignores case', 'FLOW', '0x1D7E57AA55817448', 'FLOW', '0x1d7e57aa55817448'],
    ['COSMOS bech32: all upper is the lower address', 'COSMOS', 'COSMOS1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5LZV7XU', 'COSMOS', 'cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu'],
    ['BTC segwit bech32 ignores case', 'BTC', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', 'BTC', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
    ['TON raw form is hex', 'TON', `0:${'AB'.repeat(32)}`, 'TON', `0:${'ab'.repeat(32)}`],
  ])('same wallet: %s', (_why, chainA, addressA, chainB, addressB) => {
    expect(walletKey(chainA, addressA)).toBe(walletKey(chainB, addressB));
  });

  it.each([
    ['SOL base58 keeps case', 'SOL', 'So1AnaCaseMatters', 'SOL', 'so1anacasematters'],
    ['ECLIPSE base58 keeps case', 'ECLIPSE', 'So1AnaCaseMatters', 'ECLIPSE', 'so1anacasematters'],
    ['TRON base58 keeps case', 'TRON', 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7', 'TRON', 'tla2f6vpqdgre67v1736s7bj8ray5wyju7'],
    ['BTC legacy base58 keeps case', 'BTC', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'BTC', '1bvbmseystwetqtfn5au4m4gfg7xjanvn2'],
    ['TON friendly base64 keeps case', 'TON', 'EQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGG', 'TON', 'eqbvw8z5hubkmjydnfaem5jqtnkuwx3diqyenkwsil0xgggg'],
    ['one address on two chains is two wallets', 'SUI', `0x${'ab'.repeat(32)}`, 'APTOS', `0x${'ab'.repeat(32)}`],
    ['no trimming: the API stores what it is sent', 'ETH', ' 0xabc', 'ETH', '0xabc'],
  ])('different wallets: %s', (_why, chainA, addressA, chainB, addressB) => {
    expect(walletKey(chainA, addressA)).not.toBe(walletKey(chainB, addressB));
  });
});

describe('oauthKey', () => {
  it('is the provider and its opaque account id, as given', () => {
    expect(oauthKey('google', 'AbC123')).toBe('google:AbC123');
    expect(oauthKey('google', 'AbC123')).not.toBe(oauthKey('google', 'abc123'));
    expect(oauthKey('google', '42')).not.toBe(oauthKey('github', '42'));
  });
});
