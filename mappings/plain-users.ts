/**
 * Example 1: a plain `users` table (test/fixtures/plain-users/schema.sql). Wallets live in columns
 * of the row, the name, avatar and country in a JSONB `profile`, phone numbers are typed in national
 * formats, a text `status` says who is still a customer and `is_verified` is a 't'/'f' text flag.
 *
 *   npx dynamic-migrate run --dry-run --mapping mappings/plain-users.ts
 */
import { defineMapping } from '../src/mapping/index.js';

/** The full name, with emoji and other characters Dynamic's name pattern forbids removed first. */
const fullName = ['trim', 'stripForbidden', 'nullIfEmpty'] as const;

export default defineMapping({
  job: 'plain-users',
  options: { phoneRegion: 'GB' }, // national numbers ("020 7946 0958") are British
  source: {
    table: 'users',
    primaryKey: 'id',
    filter: { equals: { column: 'status', value: 'active' } }, // suspended and closed accounts stay behind
  },
  legacyIdKey: 'legacyId',
  fields: {
    email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
    username: { column: 'handle', transforms: ['trim', 'nullIfEmpty'] }, // copied as is: a bad handle is dropped (and reported), not guessed
    firstName: { column: 'profile.full_name', transforms: [...fullName, 'firstName'] },
    lastName: { column: 'profile.full_name', transforms: [...fullName, 'lastName'] },
    country: { column: 'profile.country', transforms: ['trim', 'nullIfEmpty', 'countryCode'] }, // "Germany", "jpn", "gb"
    phoneNumber: { column: 'phone', transforms: ['trim', 'nullIfEmpty', 'e164'] },
    emailVerifiedAt: {
      when: { equals: { column: 'is_verified', value: 't' } },
      then: { column: 'created_at', transforms: ['isoTimestamp'] },
    },
    btcWallet: { column: 'btc_address', transforms: ['trim', 'nullIfEmpty'] }, // checked against the API's BTC pattern
  },
  metadata: {
    avatarUrl: 'profile.avatar',
    profile: 'profile', // the whole JSONB document; over 512 KB rejects the row (metadata max_size)
  },
  wallets: [
    { from: 'row', address: 'eth_address', chain: { constant: 'ETH' }, walletName: { constant: 'MetaMask' }, walletProvider: { constant: 'browserExtension' } },
    { from: 'row', address: 'sol_address', chain: { constant: 'SOL' }, walletName: { constant: 'Phantom' }, walletProvider: { constant: 'browserExtension' } },
    {
      from: { json: 'profile.wallets' }, // one wallet per element of a JSON array; inside, refs are the element's keys
      address: 'address', // an element without an address is skipped
      chain: { column: 'chain', map: { ethereum: 'ETH', polygon: 'EVM', solana: 'SOL' }, unmapped: 'reject' },
      walletName: { column: 'name', default: 'Linked wallet' },
      walletProvider: { constant: 'browserExtension' },
    },
  ],
});
