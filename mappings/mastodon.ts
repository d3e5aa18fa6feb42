/**
 * Example 6: a Mastodon server (test/fixtures/mastodon/schema.sql, Mastodon's own tables). The
 * login is in `users` (email, confirmation), the public handle in `accounts` (username, display
 * name, bio), which every local user points at: `users.account_id = accounts.id`. Remote accounts
 * have no users row, so reading from `users` never migrates them.
 *
 *   npx dynamic-migrate check --mapping mappings/mastodon.ts
 *   npx dynamic-migrate run --dry-run --mapping mappings/mastodon.ts
 */
import { defineMapping } from '../src/mapping/index.js';

export default defineMapping({
  job: 'mastodon',
  source: {
    table: 'users',
    primaryKey: 'id',
    changeCursor: { column: 'updated_at' },
    lookups: {
      // One account per user, one user per account: the schema does not enforce the second half
      // (users.account_id has no unique index), so a shared account is reported, not resolved.
      account: { table: 'accounts', key: 'id', userKey: 'account_id', changeColumn: 'updated_at' },
    },
  },
  legacyIdKey: 'mastodonUserId',
  // A shared or broken account costs the values read from it (counted), never the login itself.
  options: { onInvalid: 'drop' },
  fields: {
    email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
    emailVerifiedAt: { column: 'confirmed_at', transforms: ['isoTimestamp'] },
    // As it is: a handle Dynamic cannot take (2 or 27 characters) is left out and counted.
    username: 'account.username',
    alias: { column: 'account.display_name', transforms: ['trim', 'stripForbidden', 'nullIfEmpty'] },
  },
  metadata: {
    mastodonAccountId: 'account.id',
    handle: 'account.username',
    bio: { column: 'account.note', transforms: ['trim', 'nullIfEmpty'] },
    locale: 'locale',
    approved: 'approved',
    disabled: 'disabled',
  },
});
