/**
 * Example: a CRM's dirty member table (test/fixtures/dirty-crm/schema.sql). Every member who can
 * sign in arrives; each value that cannot be used is dropped and counted in the report.
 *
 *   npx dynamic-migrate check --mapping mappings/dirty-crm.ts
 *   npx dynamic-migrate run --dry-run --mapping mappings/dirty-crm.ts
 */
import { defineMapping } from '../src/mapping/index.js';

export default defineMapping({
  job: 'dirty-crm',
  source: {
    table: 'members',
    primaryKey: 'id',
    changeCursor: { column: 'updated_at' },
    children: {
      wallets: { table: 'member_wallets', foreignKey: 'member_id', orderBy: 'id' },
      logins: { table: 'member_logins', foreignKey: 'member_id', orderBy: 'id' },
    },
  },
  options: {
    // Numbers with neither a "+" nor a usable country column are read as American.
    phoneRegion: 'US',
    // Addresses are sent in their EIP-55 form: the form wallets display.
    checksumEvmAddresses: true,
  },
  fields: {
    // A malformed email costs the email, not the member: one with a wallet still signs in with it.
    email: { column: 'mail', transforms: ['trim', 'lower', 'nullIfEmpty'], onInvalid: 'drop' },
    // Nicknames are free text: slugged to the username rule (clashes are settled by duplicates.usernames).
    username: { column: 'nickname', transforms: ['slugUsername'] },
    firstName: { column: 'full_name', transforms: ['stripForbidden', 'firstName'] },
    lastName: { column: 'full_name', transforms: ['stripForbidden', 'lastName'] },
    // 'XX' and '--' are placeholders: countryCode refuses them, and the country is dropped.
    country: { column: 'country_raw', transforms: ['trim', 'nullIfEmpty', 'countryCode'] },
    // National numbers are read in the member's own country (the same column, through countryCode).
    phoneNumber: { column: 'phone_local', transforms: ['trim', 'nullIfEmpty', { e164: { regionFrom: 'country_raw' } }] },
    newsletterNotification: { column: 'sms_opt', transforms: ['boolean'] },
  },
  duplicates: { usernames: 'suffix' },
  wallets: [
    {
      from: 'wallets',
      address: { column: 'addr', transforms: ['trim', 'nullIfEmpty'] },
      chain: {
        column: 'network',
        map: { eth: 'ETH', sol: 'SOL', ecl: 'ECLIPSE', btc: 'BTC', tron: 'TRON', atom: 'COSMOS', sui: 'SUI', apt: 'APTOS', stark: 'STARK', algo: 'ALGO', flow: 'FLOW', ton: 'TON' },
        unmapped: 'reject',
      },
      walletName: { constant: 'Imported wallet' },
      walletProvider: { constant: 'browserExtension' },
      // A BTC wallet's ordinals address, from the same row.
      additionalAddresses: [{ from: 'wallet', address: 'ordinals_addr', type: { constant: 'ordinals' }, publicKey: 'ordinals_pubkey' }],
      // A mistyped address or an unsupported chain costs that wallet; a member left with nothing to sign in with is rejected.
      onInvalid: 'drop',
    },
  ],
  oauthAccounts: [
    {
      from: 'logins',
      provider: { column: 'idp', map: { google: 'google', github: 'github' }, unmapped: 'reject' },
      accountId: 'subject',
      onInvalid: 'drop',
    },
  ],
});
