/**
 * Example 5: a Discourse forum (test/fixtures/discourse/schema.sql, Discourse's own tables). The
 * person is in four tables: `users`, the emails in `user_emails` (several per user; the one with
 * `primary = true` is the sign-in email), the profile in `user_profiles` (1:1, keyed by user_id)
 * and the social logins in `user_associated_accounts`.
 *
 *   npx dynamic-migrate check --mapping mappings/discourse.ts
 *   npx dynamic-migrate run --dry-run --mapping mappings/discourse.ts
 */
import { defineMapping } from '../src/mapping/index.js';

export default defineMapping({
  job: 'discourse',
  source: {
    table: 'users',
    primaryKey: 'id',
    // Discourse's own bots (system -1, discobot -2) have ids below 1; staged users never signed up.
    filter: { all: [{ sql: 'id > 0' }, { equals: { column: 'staged', value: false } }] },
    changeCursor: { column: 'updated_at' },
    children: {
      emails: { table: 'user_emails', foreignKey: 'user_id', orderBy: 'id', changeColumn: 'updated_at' },
      logins: { table: 'user_associated_accounts', foreignKey: 'user_id', orderBy: 'id', changeColumn: 'updated_at' },
    },
    // user_profiles.user_id = users.id. It has no timestamp of its own, so a profile edit alone
    // is not picked up by an incremental rerun (check warns about it); a change to the user row
    // re-sends the user with the profile as it is then.
    lookups: { profile: { table: 'user_profiles', key: 'user_id' } },
    picks: {
      // The sign-in email. Two rows claiming primary (the unique index was lost in a restore) is
      // a problem to fix in the data, not a guess: `unique` makes it one.
      primary_email: { from: 'emails', where: { equals: { column: 'primary', value: true } }, unique: true },
      secondary_emails: { from: 'emails', where: { equals: { column: 'primary', value: false } }, all: true },
    },
  },
  legacyIdKey: 'discourseUserId',
  fields: {
    email: { column: 'primary_email.email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
    // Discourse allows dots and 60 characters; Dynamic 3-20 letters, digits, _ and -.
    username: { column: 'username', transforms: ['slugUsername'] },
    alias: { column: 'name', transforms: ['trim', 'stripForbidden', 'nullIfEmpty'] },
  },
  metadata: {
    discourseUsername: 'username',
    trustLevel: 'trust_level',
    joinedAt: { column: 'created_at', transforms: ['isoTimestamp'] },
    location: { column: 'profile.location', transforms: ['trim', 'nullIfEmpty'] },
    website: { column: 'profile.website', transforms: ['trim', 'nullIfEmpty'] },
    bio: { column: 'profile.bio_raw', transforms: ['trim', 'nullIfEmpty'] },
    // The other addresses stay with the person, for support to find them by.
    secondaryEmails: 'secondary_emails.email',
  },
  oauthAccounts: [
    {
      from: 'logins',
      provider: { column: 'provider_name', map: { google_oauth2: 'google', github: 'github', discord: 'discord', twitter: 'twitter', facebook: 'facebook', apple: 'apple' }, unmapped: 'reject' },
      accountId: 'provider_uid',
      // OmniAuth's auth_hash.info, as Discourse keeps it.
      emails: 'info.email',
      displayName: 'info.name',
      username: 'info.nickname',
      photos: 'info.image',
      profile: 'info',
      onInvalid: 'drop', // a login through a provider Dynamic does not know costs that login, not the person
    },
  ],
});
