import { describe, expect, it } from 'vitest';
import { base64url } from '@scure/base';
import crc16xmodem from 'crc/calculators/crc16xmodem';
import { WALLET_CHAINS, type WalletChain } from '../../../src/contract/enums.js';
import {
  CHECKED_CHAINS,
  checkAdditionalAddress,
  checkWalletAddress,
  type AddressCheck,
} from '../../../src/contract/wallet-address.js';

/** Each address must pass unchanged. */
function expectValid(chain: WalletChain, addresses: string[]) {
  for (const address of addresses) expect(checkWalletAddress(chain, address), `${chain} ${address}`).toEqual({ ok: true, address });
}

/** Each address must fail with `rule`, and the message must not quote the address (personal data). */
function expectInvalid(chain: WalletChain, rule: string, addresses: string[]) {
  for (const address of addresses) expectFailure(checkWalletAddress(chain, address), rule, `${chain} ${JSON.stringify(address)}`, address);
}

function expectFailure(answer: AddressCheck, rule: string, label: string, address: string) {
  expect(answer.ok, label).toBe(false);
  if (answer.ok) return;
  expect(answer.rule, label).toBe(rule);
  if (address.length >= 8) expect(answer.message, label).not.toContain(address); // shorter ones ("0x") say nothing of a person
}

const flipCase = (address: string, at: number) => {
  const c = address.charAt(at);
  const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return address.slice(0, at) + flipped + address.slice(at + 1);
};

// EIP-55, "Test Cases".
const EIP55_ALL_CAPS = ['0x52908400098527886E0F7030069857D2E4169EE7', '0x8617E340B3D01FA5F11F306F4090FD50E238070D'];
const EIP55_ALL_LOWER = ['0xde709f2102306220921060314715629080e2fb77', '0x27b1fdb04752bbc536007a920d24acb045561c26'];
const EIP55_NORMAL = [
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB', '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

describe('ETH and EVM (EIP-55)', () => {
  const chains: WalletChain[] = ['ETH', 'EVM'];

  it("accepts the EIP's all-caps, all-lower and checksummed examples unchanged", () => {
    for (const chain of chains) expectValid(chain, [...EIP55_ALL_CAPS, ...EIP55_ALL_LOWER, ...EIP55_NORMAL]);
  });

  it('refuses each example with one letter flipped in case', () => {
    for (const chain of chains) {
      for (const address of [...EIP55_ALL_CAPS, ...EIP55_ALL_LOWER, ...EIP55_NORMAL]) {
        const letterAt = address.slice(2).search(/[a-fA-F]/) + 2;
        expectInvalid(chain, 'address_checksum', [flipCase(address, letterAt)]);
      }
    }
  });

  it('gives the EIP-55 form on request, from any case', () => {
    for (const address of EIP55_NORMAL) {
      for (const input of [address, address.toLowerCase(), `0x${address.slice(2).toUpperCase()}`]) {
        expect(checkWalletAddress('EVM', input, { checksumEvm: true })).toEqual({ ok: true, address });
      }
    }
    for (const address of [...EIP55_ALL_CAPS, ...EIP55_ALL_LOWER]) {
      expect(checkWalletAddress('ETH', address, { checksumEvm: true })).toEqual({ ok: true, address });
    }
  });

  it('refuses other shapes as format errors', () => {
    const good = EIP55_NORMAL[0] ?? '';
    expectInvalid('ETH', 'address_format', [
      '', good.slice(2), `0X${good.slice(2)}`, good.slice(0, -1), `${good}a`, `${good.slice(0, -1)}g`, ` ${good}`,
    ]);
  });
});

// BIP-350 "Test vectors for v0-v16 native segregated witness addresses".
const BIP350_VALID = [
  'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
  'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7',
  'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
  'BC1SW50QGDZ25J',
  'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs',
  'tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy',
  'tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
];
const BIP350_INVALID: [string, string][] = [
  ['tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', 'address_format'], // invalid human-readable part
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'address_checksum'], // bech32 instead of bech32m
  ['tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', 'address_checksum'], // bech32 instead of bech32m
  ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', 'address_checksum'], // bech32 instead of bech32m
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', 'address_checksum'], // bech32m instead of bech32
  ['tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', 'address_checksum'], // bech32m instead of bech32
  ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', 'address_format'], // invalid character in checksum
  ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', 'address_format'], // invalid witness version
  ['bc1pw5dgrnzv', 'address_format'], // program of 1 byte
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', 'address_format'], // 41 bytes
  ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'address_format'], // v0 program of 16 bytes
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', 'address_format'], // mixed case
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', 'address_format'], // padding over 4 bits
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', 'address_format'], // non-zero padding
  ['bc1gmk9yu', 'address_format'], // empty data section
];
// BIP-173 "Test vectors": the invalid addresses, and the valid ones of v1+ that BIP-350 made invalid.
const BIP173_INVALID: [string, string][] = [
  ['tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty', 'address_format'], // invalid human-readable part
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'address_checksum'],
  ['BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2', 'address_format'], // invalid witness version (17)
  ['bc1rw5uspcuh', 'address_checksum'], // v3 in bech32
  ['bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90', 'address_checksum'], // v15 in bech32 (and 41 bytes)
  ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'address_format'], // v0 program of 16 bytes
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7', 'address_format'], // mixed case
  ['bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du', 'address_checksum'], // v2 in bech32 (and padding over 4 bits)
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv', 'address_format'], // non-zero padding
  ['bc1gmk9yu', 'address_format'], // empty data section
];
const BIP173_VALID_V1_PLUS = [
  'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx',
  'BC1SW50QA3JX3S',
  'bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj',
];

describe('BTC', () => {
  it('accepts the BIP-350 valid segwit addresses, mainnet and testnet, v0 to v16', () => expectValid('BTC', BIP350_VALID));

  it('refuses the BIP-350 invalid addresses, bech32m for v0 and bech32 for v1+ among them', () => {
    for (const [address, rule] of BIP350_INVALID) expectInvalid('BTC', rule, [address]);
  });

  it('refuses the BIP-173 invalid addresses, and its v1+ examples that BIP-350 replaced', () => {
    for (const [address, rule] of BIP173_INVALID) expectInvalid('BTC', rule, [address]);
    expectInvalid('BTC', 'address_checksum', BIP173_VALID_V1_PLUS);
  });

  it('refuses regtest', () => {
    expectInvalid('BTC', 'address_format', ['bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw']);
  });

  it('accepts base58check P2PKH and P2SH, mainnet and testnet', () => {
    expectValid('BTC', [
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', // the genesis block's
      '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
      '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', // Bitcoin wiki's P2SH example
      'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn',
      '2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc',
    ]);
  });

  it('refuses a corrupted base58 address, another version byte, and non-base58 text', () => {
    expectInvalid('BTC', 'address_checksum', [
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLY',
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN', // one character short, still 25 bytes
    ]);
    expectInvalid('BTC', 'address_format', [
      'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', // Tron: version 0x41
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0', '1A1zP1eP5QGefi2DMPTfTL5SLmv7', '', 'not an address',
    ]);
  });
});

describe('SOL and ECLIPSE', () => {
  const valid = [
    '11111111111111111111111111111111', // System Program: 32 zero bytes
    'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA', // SPL Token program
    'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', // USDC mint
  ];
  const invalid = [
    '1111111111111111111111111111111', // 31 bytes
    '1TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA', // 33 bytes
    'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5D0', // 0 is not base58
    'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1vEPjF', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '',
  ];
  it('accepts base58 of 32 bytes and refuses the rest', () => {
    for (const chain of ['SOL', 'ECLIPSE'] as const) {
      expectValid(chain, valid);
      expectInvalid(chain, 'address_format', invalid);
    }
  });
});

describe('TRON', () => {
  it('accepts base58check with version 0x41', () => expectValid('TRON', ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t']));
  it('refuses a corrupted one, a Bitcoin one and the hex form', () => {
    expectInvalid('TRON', 'address_checksum', ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T']);
    expectInvalid('TRON', 'address_format', ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c']);
  });
});

describe('COSMOS', () => {
  const valid = [
    'cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6',
    'osmo14fketv99hlrlk80mkggw643spsj3yyf7t2pjhr',
    'osmo1vy34lpt5zlj797w7zqdta3qfq834kapx88qtgudy7jgljztj567s73ny82', // a contract: 32 bytes
  ];
  it('accepts bech32 of 20 or 32 bytes under any prefix, in either single case', () => {
    expectValid('COSMOS', [...valid, valid[0]?.toUpperCase() ?? '']);
  });
  it('refuses a changed character, mixed case, bech32m, and other data lengths', () => {
    expectInvalid('COSMOS', 'address_checksum', ['cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs7', 'osmo14fketv99hlrlk80mkggw643spsj3yyf7t2pjhq']);
    expectInvalid('COSMOS', 'address_checksum', ['abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx']); // BIP-350 valid bech32m
    expectInvalid('COSMOS', 'address_format', [
      'cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8RS6',
      'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w', // BIP-173 valid bech32 of 30 bytes
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', // a segwit address: the version word breaks the bytes
    ]);
  });
  it('refuses the BIP-173 invalid checksum vectors', () => {
    const vectors = [
      '\x201nwldj5', '\x7f1axkwrx', '\x801eym55h', 'pzry9x0s0muk', '1pzry9x0s0muk', 'x1b4n0q5v', 'li1dgmt3',
      'de1lg7wt\xff', 'A1G7SGD8', '10a06t8', '1qzzfhee',
    ];
    for (const address of vectors) expect(checkWalletAddress('COSMOS', address).ok, JSON.stringify(address)).toBe(false);
  });
});

describe('hex chains: SUI, APTOS, STARK, FLOW', () => {
  it('SUI: 0x and 64 hex digits', () => {
    expectValid('SUI', ['0x0000000000000000000000000000000000000000000000000000000000000002', '0x02a212de6a9dfa3a69e22387acfbafbb1a9e591bd9d636e7895dcfc8de05f331']);
    expectInvalid('SUI', 'address_format', ['0x2', '02a212de6a9dfa3a69e22387acfbafbb1a9e591bd9d636e7895dcfc8de05f331', '0x02a212de6a9dfa3a69e22387acfbafbb1a9e591bd9d636e7895dcfc8de05f33']);
  });
  it('APTOS: the long form and the short form with leading zeros left out', () => {
    expectValid('APTOS', ['0x1', '0xa550c18', '0x000000000000000000000000000000000000000000000000000000000a550c18', '0x0000000000000000000000000000000000000000000000000000000000000001']);
    expectInvalid('APTOS', 'address_format', ['0x', 'a550c18', '0x1000000000000000000000000000000000000000000000000000000000a550c18', '0xg']);
  });
  it('STARK: 0x and 1 to 64 hex digits below 2^251 - 256', () => {
    expectValid('STARK', [
      '0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7', // ETH token
      '0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d', // STRK token
      '0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7', '0x1',
      `0x${(2n ** 251n - 257n).toString(16)}`,
    ]);
    expectInvalid('STARK', 'address_range', [`0x${(2n ** 251n - 256n).toString(16)}`, `0x${(2n ** 251n + 17n * 2n ** 192n + 1n).toString(16)}`, `0x${'f'.repeat(64)}`]);
    expectInvalid('STARK', 'address_format', ['0x', '049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7', `0x0${'0'.repeat(64)}`]);
  });
  it('FLOW: 0x and 16 hex digits', () => {
    expectValid('FLOW', ['0x1654653399040a61', '0xf233dcee88fe0abe', '0xf8d6e0586b0a20c7']); // FlowToken, FungibleToken, emulator
    expectInvalid('FLOW', 'address_format', ['1654653399040a61', '0x1654653399040a6', '0x1654653399040a611', '0x165465339904Za61']);
  });
});

describe('ALGO', () => {
  const known = 'VCMJKWOY5P5P7SKMZFFOCEROPJCZOTIJMNIYNUCKH7LRO45JMJP6UYBIJA'; // the example account of Algorand's docs
  it('accepts base32 of a key and its SHA-512/256 checksum', () => {
    expectValid('ALGO', [known, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAY5HFKQ']); // and the zero address
  });
  it('refuses a changed character, and other shapes', () => {
    expectInvalid('ALGO', 'address_checksum', [`B${known.slice(1)}`, `${known.slice(0, 50)}A${known.slice(51)}`]);
    expectInvalid('ALGO', 'address_format', [known.toLowerCase(), known.slice(1), `${known}A`, `${known.slice(0, -1)}B`]);
  });
});

describe('TON', () => {
  // ton-org/ton-core's Address tests: one account in its raw and user-friendly forms.
  const raw = '0:2cf55953e92efbeadab7ba725c3f93a0b23f842cbba72d7b8e6f510a70e422e3';
  const friendly = [
    'EQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4wJB', 'kQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi47nL',
    'EQAs9VlT6S776tq3unJcP5Ogsj+ELLunLXuOb1EKcOQi4wJB', 'UQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi41-E',
    '0QAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4-QO', 'UQAs9VlT6S776tq3unJcP5Ogsj+ELLunLXuOb1EKcOQi41+E',
  ];
  const withTag = (tag: number, workchain: number) => {
    const bytes = new Uint8Array(36);
    bytes.set([tag, workchain]);
    bytes.fill(0x2c, 2, 34);
    const crc = crc16xmodem(bytes.subarray(0, 34));
    bytes.set([crc >> 8, crc & 0xff], 34);
    return base64url.encode(bytes);
  };
  it('accepts raw and user-friendly forms, bounceable or not, mainnet or testnet', () => {
    expectValid('TON', [raw, '-1:3333333333333333333333333333333333333333333333333333333333333333', ...friendly, withTag(0x11, 0xff)]);
  });
  it('refuses a changed character, other shapes, an unknown tag and another workchain', () => {
    expectInvalid('TON', 'address_checksum', ['EQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4wJC', 'EQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4wjB']);
    expectInvalid('TON', 'address_format', [
      raw.slice(0, -2), '1:2cf55953e92efbeadab7ba725c3f93a0b23f842cbba72d7b8e6f510a70e422e3',
      'EQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4wJ', 'ton://EQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4wJB',
      'EQAs9VlT6S776tq3unJcP5Ogsj-ELLunLXuOb1EKcOQi4w!B', withTag(0x12, 0), withTag(0x11, 1),
    ]);
  });
});

describe('chains without a rule, and CHECKED_CHAINS', () => {
  it('passes SPARK through unchanged', () => {
    expect(checkWalletAddress('SPARK', 'anything at all')).toEqual({ ok: true, address: 'anything at all' });
  });
  it('describes every chain but SPARK, in one line each', () => {
    expect(Object.keys(CHECKED_CHAINS).sort()).toEqual(WALLET_CHAINS.filter((chain) => chain !== 'SPARK').sort());
    for (const line of Object.values(CHECKED_CHAINS)) expect(line).toMatch(/^[^\n]{10,}$/);
    expect(Object.isFrozen(CHECKED_CHAINS)).toBe(true);
  });
});

describe('checkAdditionalAddress', () => {
  it('checks ordinals and payment as BTC, cosmos as COSMOS, evm as EVM', () => {
    const cases: [string, string, string][] = [
      ['ordinals', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd'],
      ['payment', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLY'],
      ['cosmos', 'osmo14fketv99hlrlk80mkggw643spsj3yyf7t2pjhr', 'osmo14fketv99hlrlk80mkggw643spsj3yyf7t2pjhq'],
      ['evm', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'],
    ];
    for (const [type, good, bad] of cases) {
      expect(checkAdditionalAddress(type, good)).toEqual({ ok: true, address: good });
      expectFailure(checkAdditionalAddress(type, bad), 'address_checksum', type, bad);
    }
    expectFailure(checkAdditionalAddress('payment', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'), 'address_format', 'EVM as payment', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
  });
  it('refuses an unknown type, prototype names included', () => {
    for (const type of ['solana', 'toString', '__proto__', '']) {
      expectFailure(checkAdditionalAddress(type, '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'), 'address_type', type, '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
    }
  });
});
