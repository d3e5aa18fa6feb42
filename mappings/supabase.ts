/**
 * Example 2: Supabase Auth (test/fixtures/supabase/schema.sql). Users live in `auth.users`, with
 * what the sign-up provider said about them in the JSONB `raw_user_meta_data`; each linked login is
 * a row of `auth.identities` whose JSONB `identity_data` holds the provider's profile.
 *
 *   npx dynamic-migrate run --dry-run --mapping mappings/supabase.ts
 */
import { defineMapping, type ValueSourceInput } from '../src/mapping/index.js';

/** Providers Dynamic knows under the same name. `email` identities are password logins, not OAuth. */
const OAUTH_PROVIDERS = ['google', 'github', 'discord'];

/** A name part from the metadata: Google fills `full_name`, GitHub only `name`. */
const namePart = (part: 'firstName' | 'lastName'): ValueSourceInput => ({
  firstOf: [
    { column: 'raw_user_meta_data.full_name', transforms: ['stripForbidden', 'nullIfEmpty', part] },
    { column: 'raw_user_meta_data.name', transforms: ['stripForbidden', 'nullIfEmpty', part] },
  ],
});

export default defineMapping({
  job: 'supabase',
  source: {
    table: 'auth.users',
    primaryKey: 'id', // a uuid: keyset pagination works on any ordered key
    filter: { all: [{ isNull: 'deleted_at' }, { equals: { column: 'is_anonymous', value: false } }] },
    children: {
      identities: {
        table: 'auth.identities',
        foreignKey: 'user_id',
        orderBy: 'created_at, id',
        filter: { in: { column: 'provider', values: OAUTH_PROVIDERS } },
      },
    },
  },
  legacyIdKey: 'supabaseUserId',
  fields: {
    email: { column: 'email', transforms: ['trim', 'lower', 'nullIfEmpty'] },
    emailVerifiedAt: { column: 'email_confirmed_at', transforms: ['isoTimestamp'] },
    firstName: namePart('firstName'),
    lastName: namePart('lastName'),
    username: { column: 'raw_user_meta_data.user_name', transforms: ['trim', { truncate: 20 }] }, // GitHub logins run to 39
    phoneNumber: { template: '+{phone}', transforms: ['e164'] }, // Supabase keeps the digits without '+'
  },
  metadata: {
    provider: 'raw_app_meta_data.provider',
    providers: 'raw_app_meta_data.providers',
    avatarUrl: 'raw_user_meta_data.avatar_url',
    signedUpAt: { column: 'created_at', transforms: ['isoTimestamp'] },
  },
  oauthAccounts: [
    {
      from: 'identities',
      provider: { column: 'provider', map: { google: 'google', github: 'github', discord: 'discord' }, unmapped: 'reject' },
      accountId: 'provider_id',
      emails: 'identity_data.email',
      displayName: { firstOf: ['identity_data.full_name', 'identity_data.name'] },
      username: { firstOf: ['identity_data.user_name', 'identity_data.preferred_username'] },
      photos: 'identity_data.avatar_url',
      profile: 'identity_data',
    },
  ],
});
