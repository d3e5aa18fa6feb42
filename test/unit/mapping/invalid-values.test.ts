import { describe, expect, it } from 'vitest';
import { compileMapping, parseMapping } from '../../../src/mapping/index.js';
import type { MappingSpecInput, MapResult, SourceRow } from '../../../src/mapping/index.js';

/** A mapping over `users` with `wallets` and `identities` children, with the tool's own defaults (no onInvalid given). */
function mapper(sections: Omit<MappingSpecInput, 'source'>) {
  return compileMapping(
    parseMapping(
      {
        source: {
          table: 'users',
          primaryKey: 'id',
          children: { wallets: { table: 'user_wallets', foreignKey: 'user_id' }, identities: { table: 'user_identities', foreignKey: 'user_id' } },
        },
        ...sections,
      },
      'invalid-values.json',
    ),
  );
}

const source = (row: Record<string, unknown>, children: SourceRow['children'] = {}): SourceRow => ({ key: '7', row, children });
const EVM = '0x52908400098527886e0f7030069857d2e4169ee7';
const EVM_CHECKSUMMED = '0x52908400098527886E0F7030069857D2E4169EE7';
const BTC = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';

function sent(result: MapResult) {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.rejections)}`);
  return result;
}
function rejected(result: MapResult) {
  if (result.ok) throw new Error(`sent: ${JSON.stringify(result.payload)}`);
  return result.rejections;
}

describe('onInvalid: a bad optional value costs the value, not the user', () => {
  const profile = mapper({
    fields: {
      email: 'email',
      phoneNumber: { column: 'phone', transforms: ['e164'] },
      country: { column: 'country', transforms: ['countryCode'] },
      username: 'nick',
      firstName: 'first_name',
      newsletterNotification: { column: 'opt_in', transforms: ['boolean'] },
    },
    metadata: { joined: { column: 'joined', transforms: ['isoTimestamp'] } },
  });
  const clean = { email: 'ann@example.com', phone: '+14155550123', country: 'DE', nick: 'ann_lee', first_name: 'Ann', opt_in: 'yes', joined: '2020-01-02T00:00:00Z' };

  it('drops the optional profile fields that cannot be used, with field, rule and a masked value, and sends the user', () => {
    const result = sent(profile(source({ ...clean, phone: '0301234567', country: 'Atlantis', nick: 'a b', first_name: 'Bob 🚀', opt_in: 'maybe' })));
    expect(result.payload).toEqual({ email: 'ann@example.com', metadata: { legacyId: '7', joined: '2020-01-02T00:00:00.000Z' } });
    expect(result.dropped?.map(({ field, rule }) => `${field} ${rule}`).sort()).toEqual([
      'country transform', 'firstName pattern', 'newsletterNotification transform', 'phoneNumber transform', 'username pattern',
    ]);
    for (const value of result.dropped ?? []) {
      expect(value.legacyId).toBe('7');
      expect(value.value).toBeDefined();
      expect(JSON.stringify(value)).not.toContain('Atlantis');
    }
  });

  it('still rejects a bad email and a bad metadata value by default', () => {
    expect(rejected(profile(source({ ...clean, email: 'not an email' }))).map((r) => `${r.field} ${r.rule}`)).toEqual(['email pattern']);
    expect(rejected(profile(source({ ...clean, joined: 'last week' }))).map((r) => `${r.field} ${r.rule}`)).toEqual(['metadata.joined transform']);
  });

  it('names only what keeps a user back: a value that would have been dropped is no reason', () => {
    const rejections = rejected(profile(source({ ...clean, email: 'nope', country: 'Atlantis' })));
    expect(rejections.map((r) => r.field)).toEqual(['email']);
  });

  it('follows the source’s own onInvalid, required, and the mapping-wide default', () => {
    const strict = mapper({
      fields: { email: 'email', phoneNumber: { column: 'phone', transforms: ['e164'], onInvalid: 'reject' }, team: { column: 'team', required: true } },
      metadata: { joined: { column: 'joined', transforms: ['isoTimestamp'], onInvalid: 'drop' } },
    });
    expect(rejected(strict(source({ email: 'a@b.co', phone: 'x', team: 'core', joined: null }))).map((r) => `${r.field} ${r.rule}`)).toEqual(['phoneNumber transform']);
    expect(rejected(strict(source({ email: 'a@b.co', phone: null, team: null, joined: null }))).map((r) => `${r.field} ${r.rule}`)).toEqual(['team required']);
    expect(sent(strict(source({ email: 'a@b.co', phone: null, team: 'core', joined: 'never' }))).dropped?.map((d) => d.field)).toEqual(['metadata.joined']);

    const rejectAll = mapper({ fields: { email: 'email', country: { column: 'country', transforms: ['countryCode'] } }, options: { onInvalid: 'reject' } });
    expect(rejected(rejectAll(source({ email: 'a@b.co', country: 'XX' }))).map((r) => r.field)).toEqual(['country']);
    const dropAll = mapper({ fields: { email: 'email', emailVerifiedAt: { column: 'verified', transforms: ['isoTimestamp'] } }, options: { onInvalid: 'drop' } });
    expect(sent(dropAll(source({ email: 'a@b.co', verified: 'soon' }))).payload).toEqual({ email: 'a@b.co', metadata: { legacyId: '7' } });
    // email is never dropped by the mapping-wide default: only its own source can say so.
    expect(rejected(dropAll(source({ email: 'bad', verified: null })))[0]?.field).toBe('email');
  });

  it('leaves a clean user exactly as before, without a dropped list', () => {
    const result = sent(profile(source(clean)));
    expect(result).not.toHaveProperty('dropped');
    expect(result.payload.phoneNumber).toBe('+14155550123');
  });
});

describe('wallets and OAuth accounts under onInvalid', () => {
  const wallets = (onInvalid?: 'drop' | 'reject') =>
    mapper({
      fields: { email: 'email' },
      wallets: [
        {
          from: 'wallets',
          address: 'address',
          chain: { column: 'chain', map: { ethereum: 'ETH', bitcoin: 'BTC' }, unmapped: 'reject' },
          walletName: { constant: 'Imported' },
          walletProvider: { constant: 'browserExtension' },
          ...(onInvalid ? { onInvalid } : {}),
        },
      ],
    });
  const children = { wallets: [{ address: EVM, chain: 'ethereum' }, { address: '0x1234', chain: 'ethereum' }, { address: BTC, chain: 'dogecoin' }, { address: BTC, chain: 'bitcoin' }] };

  it('rejects the user for an invalid address or an unmapped chain by default', () => {
    const rejections = rejected(wallets()(source({ email: 'a@b.co' }, children)));
    expect(rejections.map((r) => `${r.field} ${r.rule}`)).toEqual(['wallets[2].chain value_map', 'wallets[1].publicWalletAddress address_format']);
  });

  it('drops just those wallets when the rule says drop, and keeps the others in order', () => {
    const result = sent(wallets('drop')(source({ email: 'a@b.co' }, children)));
    expect(result.payload.wallets?.map((wallet) => wallet.publicWalletAddress)).toEqual([EVM, BTC]);
    expect(result.dropped?.map((d) => `${d.field} ${d.rule}`)).toEqual(['wallets[2].chain value_map', 'wallets[1].publicWalletAddress address_format']);
  });

  it('rejects a mixed-case EVM address whose EIP-55 checksum is wrong, and sends checksummed ones when asked', () => {
    const wrong = `0x52908400098527886e0F7030069857D2E4169EE7`;
    expect(rejected(wallets()(source({ email: 'a@b.co' }, { wallets: [{ address: wrong, chain: 'ethereum' }] })))[0]?.rule).toBe('address_checksum');
    expect(sent(wallets()(source({ email: 'a@b.co' }, { wallets: [{ address: EVM_CHECKSUMMED, chain: 'ethereum' }] }))).payload.wallets?.[0]?.publicWalletAddress).toBe(EVM_CHECKSUMMED);
    const checksum = mapper({
      fields: { email: 'email' },
      wallets: [{ from: 'wallets', address: 'address', chain: { constant: 'EVM' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' } }],
      options: { checksumEvmAddresses: true },
    });
    expect(sent(checksum(source({ email: 'a@b.co' }, { wallets: [{ address: EVM }] }))).payload.wallets?.[0]?.publicWalletAddress).toBe(EVM_CHECKSUMMED);
  });

  it('drops an OAuth account’s bad optional part but rejects for a bad provider unless the rule drops the account', () => {
    const accounts = (onInvalid?: 'drop') =>
      mapper({
        fields: { email: 'email' },
        oauthAccounts: [{ from: 'identities', provider: 'provider', accountId: 'uid', profile: 'profile', ...(onInvalid ? { onInvalid } : {}) }],
      });
    const result = sent(accounts()(source({ email: 'a@b.co' }, { identities: [{ provider: 'google', uid: '1', profile: 'not an object' }] })));
    expect(result.payload.oauthAccounts).toEqual([{ provider: 'google', accountId: '1' }]);
    expect(result.dropped?.map((d) => `${d.field} ${d.rule}`)).toEqual(['oauthAccounts[0].profile type']);
    const badProvider = { identities: [{ provider: 'myspace', uid: '2', profile: null }, { provider: 'github', uid: '3', profile: null }] };
    expect(rejected(accounts()(source({ email: 'a@b.co' }, badProvider)))[0]?.field).toBe('oauthAccounts[0].provider');
    expect(sent(accounts('drop')(source({ email: 'a@b.co' }, badProvider))).payload.oauthAccounts).toEqual([{ provider: 'github', accountId: '3' }]);
  });
});

describe('the sign-in check', () => {
  const map = mapper({
    fields: { email: 'email', phoneNumber: { column: 'phone', transforms: ['e164'] }, firstName: 'first_name' },
    wallets: [{ from: 'row', address: 'eth', chain: { constant: 'ETH' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' } }],
    oauthAccounts: [{ from: 'row', provider: { constant: 'github' }, accountId: 'github_id' }],
  });
  const nobody = { email: null, phone: null, first_name: 'Ann', eth: null, github_id: null };

  it('rejects a user with nothing to sign in with, never sending it', () => {
    expect(rejected(map(source(nobody)))).toEqual([
      { legacyId: '7', field: '(user)', rule: 'no_sign_in_method', message: expect.stringContaining('missing_phone_number_or_email') as string },
    ]);
  });

  it('counts an email, a phone number, a wallet or an OAuth account as a way to sign in', () => {
    for (const change of [{ email: 'a@b.co' }, { phone: '+14155550123' }, { eth: EVM }, { github_id: '99' }]) {
      expect(map(source({ ...nobody, ...change })).ok).toBe(true);
    }
  });

  it('rejects a user whose only way in was a value that had to be dropped, listing the dropped value', () => {
    const rejections = rejected(map(source({ ...nobody, phone: '12' })));
    expect(rejections.map((r) => `${r.field} ${r.rule}`)).toEqual(['(user) no_sign_in_method', 'phoneNumber transform']);
  });
});

describe('e164 with the region from the row', () => {
  const map = mapper({
    fields: {
      email: 'email',
      country: { column: 'country', transforms: ['countryCode'] },
      phoneNumber: { column: 'phone', transforms: [{ e164: { regionFrom: 'country' } }] },
    },
    options: { phoneRegion: 'US' },
  });
  const phone = (row: Record<string, unknown>) => sent(map(source({ email: 'a@b.co', ...row }))).payload.phoneNumber;

  it('reads a national number in the country of the row (alpha-2, alpha-3 or name, any case)', () => {
    expect(phone({ country: 'DE', phone: '030 1234567' })).toBe('+49301234567');
    expect(phone({ country: 'gbr', phone: '020 7946 0018' })).toBe('+442079460018');
    expect(phone({ country: 'France', phone: '01 23 45 67 89' })).toBe('+33123456789');
  });

  it('falls back to options.phoneRegion when the country is blank or a placeholder, and a number with + ignores both', () => {
    expect(phone({ country: null, phone: '(415) 555-0123' })).toBe('+14155550123');
    const result = sent(map(source({ email: 'a@b.co', country: 'XX', phone: '(415) 555-0123' })));
    expect(result.payload.phoneNumber).toBe('+14155550123');
    expect(result.dropped?.map((d) => d.field)).toEqual(['country']);
    expect(phone({ country: 'DE', phone: '+14155550123' })).toBe('+14155550123');
  });

  it('drops a number still unreadable in that region', () => {
    const result = sent(map(source({ email: 'a@b.co', country: 'DE', phone: '12' })));
    expect(result.payload.phoneNumber).toBeUndefined();
    expect(result.dropped?.[0]).toMatchObject({ field: 'phoneNumber', rule: 'transform' });
  });
});

describe('additionalWalletAddresses', () => {
  const map = mapper({
    fields: { email: 'email' },
    wallets: [
      {
        from: 'wallets',
        address: 'address',
        chain: { constant: 'BTC' },
        walletName: { constant: 'Xverse' },
        walletProvider: { constant: 'browserExtension' },
        additionalAddresses: [
          { from: 'wallet', address: 'ordinals_address', type: { constant: 'ordinals' }, publicKey: 'ordinals_key' },
          { from: { json: 'extra' }, address: 'addr', type: 'kind' },
        ],
      },
    ],
  });
  const ORDINALS = 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297';

  it('maps them from columns of the wallet record and from a JSON array in it, skipping blank ones', () => {
    const wallet = { address: BTC, ordinals_address: ORDINALS, ordinals_key: 'pk1', extra: [{ addr: BTC, kind: 'payment' }, { addr: null, kind: 'payment' }] };
    const payload = sent(map(source({ email: 'a@b.co' }, { wallets: [wallet] }))).payload;
    expect(payload.wallets?.[0]?.additionalWalletAddresses).toEqual([
      { address: ORDINALS, type: 'ordinals', publicKey: 'pk1' },
      { address: BTC, type: 'payment' },
    ]);
  });

  it('drops an invalid additional address alone and keeps its wallet', () => {
    const wallet = { address: BTC, ordinals_address: 'bc1pnotanaddress', ordinals_key: null, extra: [{ addr: BTC, kind: 'payment' }] };
    const result = sent(map(source({ email: 'a@b.co' }, { wallets: [wallet] })));
    expect(result.payload.wallets?.[0]?.additionalWalletAddresses).toEqual([{ address: BTC, type: 'payment' }]);
    expect(result.dropped?.map((d) => `${d.field} ${d.rule}`)).toEqual(['wallets[0].additionalWalletAddresses[0].address address_format']);
  });
});

describe('review: edges of the policy', () => {
  it('an empty email or phone number signs nobody in', () => {
    const map = mapper({ fields: { email: 'email', phoneNumber: 'phone' } });
    expect(rejected(map(source({ email: '', phone: '' })))[0]?.rule).toBe('no_sign_in_method');
  });

  it('refuses what would be silently ignored: required beside drop, onInvalid on a wallet’s or an account’s own parts', () => {
    const parse = (sections: Omit<MappingSpecInput, 'source'>) => () => mapper(sections);
    expect(parse({ fields: { email: { column: 'email', required: true, onInvalid: 'drop' } } })).toThrow(/fields\.email\.onInvalid: cannot be "drop" on a required value/);
    const wallet = { from: 'row', chain: { constant: 'ETH' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' } } as const;
    expect(parse({ wallets: [{ ...wallet, address: { column: 'eth', onInvalid: 'drop' } }] })).toThrow(/wallets\[0\]\.address\.onInvalid: is not read here: set onInvalid on the wallet rule/);
    expect(parse({ oauthAccounts: [{ from: 'row', provider: { constant: 'github' }, accountId: { column: 'gh', required: true } }] })).toThrow(/oauthAccounts\[0\]\.accountId\.required/);
    expect(parse({ oauthAccounts: [{ from: 'row', provider: { constant: 'github' }, accountId: 'gh', displayName: { firstOf: [{ column: 'name', onInvalid: 'drop' }] } }] }))
      .toThrow(/oauthAccounts\[0\]\.displayName\.firstOf\[0\]\.onInvalid: is not read here: put onInvalid on the outer source/);
  });

  it('an additional-address JSON column that is no array drops the addresses, not the user; evm extras are checksummed on request', () => {
    const parse2 = (sections: Omit<MappingSpecInput, 'source'>) => () => mapper(sections);
    const map = mapper({
      fields: { email: 'email' },
      wallets: [{
        from: 'row', address: 'eth', chain: { constant: 'EVM' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' },
        additionalAddresses: [{ from: { json: 'extras' }, address: 'a', type: { constant: 'evm' } }],
      }],
      options: { checksumEvmAddresses: true },
    });
    expect(parse2({ fields: { phoneNumber: { firstOf: [{ column: 'phone', transforms: ['e164'], onInvalid: 'reject' }] } } })).toThrow(/fields\.phoneNumber\.firstOf\[0\]\.onInvalid: is not read here: put onInvalid on the outer source/);
    const broken = sent(map(source({ email: 'a@b.co', eth: EVM, extras: { not: 'an array' } })));
    expect(broken.payload.wallets).toEqual([{ publicWalletAddress: EVM_CHECKSUMMED, chain: 'EVM', walletName: 'W', walletProvider: 'browserExtension' }]);
    expect(broken.dropped?.map((d) => `${d.field} ${d.rule}`)).toEqual(['wallets[0].additionalWalletAddresses type']);
    const extras = sent(map(source({ email: 'a@b.co', eth: EVM, extras: [{ a: EVM }] })));
    expect(extras.payload.wallets?.[0]?.additionalWalletAddresses).toEqual([{ address: EVM_CHECKSUMMED, type: 'evm' }]);
  });

  it('a broken JSON rule of additional addresses costs only its own: the other rules’ addresses stay', () => {
    const ORDINALS = 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297';
    const map = mapper({
      fields: { email: 'email' },
      wallets: [{
        from: 'row', address: 'btc', chain: { constant: 'BTC' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' },
        additionalAddresses: [{ from: 'wallet', address: 'ordinals', type: { constant: 'ordinals' } }, { from: { json: 'extras' }, address: 'a', type: { constant: 'payment' } }],
      }],
    });
    const result = sent(map(source({ email: 'a@b.co', btc: BTC, ordinals: ORDINALS, extras: { no: 1 } })));
    expect(result.payload.wallets?.[0]?.additionalWalletAddresses).toEqual([{ address: ORDINALS, type: 'ordinals' }]);
    expect(result.dropped?.map((d) => `${d.field} ${d.rule}`)).toEqual(['wallets[0].additionalWalletAddresses type']);
  });
});
