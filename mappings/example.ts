/**
 * Mapping for the demo legacy schema (DESIGN.md): `users` with `user_wallets` and `user_identities`.
 * A template for your own: copy it, rename the columns, run `dynamic-migrate run --dry-run`.
 */
import { defineMapping, type ValueSourceInput } from '../src/mapping/index.js';

/** Text columns: blank means absent, and surrounding spaces are never meant. */
const text = (column: string): ValueSourceInput => ({ column, transforms: ['trim', 'nullIfEmpty'] });

export default defineMapping({
  job: 'example',
  source: {
    table: 'users',
    primaryKey: 'id',
    // Soft-deleted users are not migrated.
    filter: { sql: 'deleted_at is null' },
    // Incremental reruns read the rows changed since the last run (index: users (updated_at, id)).
    changeCursor: { column: 'updated_at' },
    children: {
      // Wallets and identities are only ever added: a new one re-sends its user.
      wallets: { table: 'user_wallets', foreignKey: 'user_id', orderBy: 'id', changeColumn: 'created_at' },
      identities: { table: 'user_identities', foreignKey: 'user_id', orderBy: 'id', changeColumn: 'created_at' },
    },
  },
  legacyIdKey: 'legacyId',
  fields: {
    // Emails were stored as typed ('Emma.Smith@Example.com'); Dynamic compares them case-insensitively.
    email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
    username: text('username'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    jobTitle: text('job_title'),
    phoneNumber: text('phone'),
    country: { column: 'country', transforms: ['trim', 'upper', 'nullIfEmpty'] },
    // Only verified emails carry a date; null leaves the field out (unverified).
    emailVerifiedAt: { column: 'email_verified_at', transforms: ['isoTimestamp'] },
    newsletterNotification: { column: 'marketing_opt_in', transforms: ['boolean'] },
  },
  metadata: {
    plan: 'plan',
    createdAt: { column: 'created_at', transforms: ['isoTimestamp'] },
  },
  wallets: [
    {
      from: 'wallets',
      address: text('address'),
      // A chain Dynamic does not support (dogecoin) rejects the whole user rather than dropping the wallet silently.
      chain: { column: 'chain', transforms: ['trim', 'lower'], map: { ethereum: 'ETH', polygon: 'EVM', solana: 'SOL', bitcoin: 'BTC' }, unmapped: 'reject' },
      walletName: { column: 'wallet_name', transforms: ['trim', 'nullIfEmpty'], default: 'Imported wallet' },
      walletProvider: {
        column: 'provider',
        transforms: ['trim', 'lower'],
        map: { metamask: 'browserExtension', phantom: 'browserExtension', coinbase: 'browserExtension', walletconnect: 'walletConnect' },
        default: 'browserExtension',
      },
    },
    {
      // The first product stored one Ethereum address on the user row itself (signed in with MetaMask).
      from: 'row',
      address: text('eth_address'),
      chain: { constant: 'ETH' },
      walletName: { constant: 'MetaMask' },
      walletProvider: { constant: 'browserExtension' },
    },
  ],
  oauthAccounts: [
    {
      from: 'identities',
      provider: { column: 'provider', map: { google_oauth2: 'google', github: 'github', discord: 'discord' }, unmapped: 'reject' },
      accountId: text('provider_uid'),
      emails: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
      displayName: text('display_name'),
      username: text('username'),
      photos: text('avatar_url'),
    },
  ],
});
