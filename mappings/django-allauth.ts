/**
 * Example 3: a Django project (test/fixtures/django/schema.sql): `auth_user`, django-allauth's
 * `socialaccount_socialaccount` (the provider's profile in `extra_data`, text holding JSON) and an
 * app's own `wallets_wallet` table.
 *
 *   npx dynamic-migrate run --dry-run --mapping mappings/django-allauth.ts
 */
import { defineMapping } from '../src/mapping/index.js';

export default defineMapping({
  job: 'django',
  source: {
    table: 'auth_user',
    primaryKey: 'id',
    filter: { equals: { column: 'is_active', value: true } },
    children: {
      socialaccounts: { table: 'socialaccount_socialaccount', foreignKey: 'user_id', orderBy: 'id' },
      wallets: { table: 'wallets_wallet', foreignKey: 'user_id', orderBy: 'id' },
    },
  },
  legacyIdKey: 'djangoUserId',
  fields: {
    email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] }, // Django stores '' for "no email"
    // Django allows @ . + - and 150 characters; Dynamic 3-20 letters, digits, _ and -.
    username: { column: 'username', transforms: ['slugUsername'] },
    firstName: { column: 'first_name', transforms: ['trim', 'stripForbidden', 'nullIfEmpty'] },
    lastName: { column: 'last_name', transforms: ['trim', 'stripForbidden', 'nullIfEmpty'] },
    alias: { template: '{first_name} {last_name}', transforms: ['stripForbidden', 'nullIfEmpty'] },
  },
  metadata: {
    djangoUsername: 'username', // the original, before slugging
    dateJoined: { column: 'date_joined', transforms: ['isoTimestamp'] },
    lastLogin: { column: 'last_login', transforms: ['isoTimestamp'] },
    isStaff: 'is_staff',
  },
  wallets: [
    {
      from: 'wallets',
      address: { column: 'address', transforms: ['trim', 'nullIfEmpty'] },
      chain: {
        column: 'chain',
        transforms: ['trim', 'lower'],
        map: { ethereum: 'ETH', polygon: 'EVM', base: 'EVM', solana: 'SOL', bitcoin: 'BTC' },
        unmapped: 'reject', // 'dogecoin' is no Dynamic chain: report the row instead of guessing
      },
      walletName: { column: 'label', transforms: ['trim', 'nullIfEmpty'], default: 'Imported wallet' },
      walletProvider: { constant: 'browserExtension' },
    },
  ],
  oauthAccounts: [
    {
      from: 'socialaccounts',
      provider: {
        column: 'provider',
        map: { google: 'google', github: 'github', discord: 'discord', twitter_oauth2: 'twitter' },
        unmapped: 'reject',
      },
      accountId: 'uid',
      // extra_data differs per provider: Google and GitHub at the top, Twitter (OAuth 2) under "data".
      emails: 'extra_data.email',
      displayName: { firstOf: ['extra_data.name', 'extra_data.global_name', 'extra_data.data.name'] },
      username: { firstOf: ['extra_data.login', 'extra_data.username', 'extra_data.data.username'] },
      photos: { firstOf: ['extra_data.picture', 'extra_data.avatar_url', 'extra_data.data.profile_image_url'] },
      // extra_data is text holding JSON: the `json` transform parses it, since the API wants an object.
      profile: { column: 'extra_data', transforms: ['json'] },
    },
  ],
});
