import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { createDemoSchema } from '../demo/index.js';

/** Rows written by {@link seedBenchDatabase}. */
export interface BenchSeedCounts {
  users: number;
  wallets: number;
  identities: number;
  profiles: number;
  seconds: number;
}

/**
 * Fills the demo schema with `scale` synthetic users in set-based SQL (`generate_series`, no row
 * loop): ~1.5 wallets and ~0.7 identities per user, 1% soft-deleted, every value valid for
 * mappings/example.ts, and the indexes incremental reruns need (`(updated_at, id)` on users, the
 * children's `created_at`).
 * Drops the three tables first, so a rerun starts clean.
 */
export async function seedBenchDatabase(databaseUrl: string, scale: number): Promise<BenchSeedCounts> {
  const started = performance.now();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
  try {
    await pool.query('drop table if exists user_profiles, user_identities, user_wallets, users');
    await createDemoSchema(db);
    // A 1:1 table beside the user, for the dry run with a lookup (issue 16).
    await pool.query('create table user_profiles (user_id bigint primary key, bio text, location text, updated_at timestamptz not null)');
    await pool.query(USERS_SQL, [scale]);
    await pool.query(WALLETS_SQL, [scale]);
    await pool.query(IDENTITIES_SQL, [scale]);
    await pool.query(PROFILES_SQL, [scale]);
    await pool.query('create index users_updated_at_id_idx on users (updated_at, id)');
    // The children's change columns too: an incremental run's children passes read by them.
    await pool.query('create index user_wallets_created_at_idx on user_wallets (created_at)');
    await pool.query('create index user_identities_created_at_idx on user_identities (created_at)');
    await pool.query(`select setval('users_id_seq', $1)`, [scale]);
    // A legacy table's rows are long settled: without this, the first reads of fresh rows would
    // write hint bits, and autovacuum would start in the middle of the measurements.
    await pool.query('vacuum (freeze, analyze) users, user_wallets, user_identities, user_profiles');
    const count = async (table: string) => Number((await pool.query(`select count(*)::int as n from ${table}`)).rows[0].n);
    return {
      users: await count('users'),
      wallets: await count('user_wallets'),
      identities: await count('user_identities'),
      profiles: await count('user_profiles'),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await db.destroy();
  }
}

// Mixed-case emails and countries, as legacy apps stored them; the example mapping normalises them.
const USERS_SQL = `
  insert into users (id, email, username, first_name, last_name, country, phone, job_title,
                     email_verified_at, marketing_opt_in, plan, eth_address, created_at, updated_at, deleted_at)
  select g,
         'User' || g || '@Example.com',
         case when g % 7 = 0 then null else 'user_' || g end,
         (array['Emma','Liam','Olivia','Noah','Ava','Lucas','Mia','Léa','Jürgen','Sofía'])[1 + g % 10],
         (array['Smith','Müller','García','Rossi','Dubois','Nowak','Silva','Kim','Tanaka','Brown'])[1 + (g / 10) % 10],
         (array['us','DE','fr','GB','jp','BR', null])[1 + g % 7],
         case when g % 5 < 2 then '+1 415 555 ' || lpad((g % 10000)::text, 4, '0') end,
         (array['Engineer','Designer','Product Manager', null])[1 + g % 4],
         case when g % 10 < 7 then timestamptz '2020-01-01' + g * interval '1 minute' + interval '1 hour' end,
         g % 3 = 0,
         (array['free','pro','team'])[1 + g % 3],
         case when g % 4 = 0 then '0x' || md5('eth' || g) || substr(md5('row' || g), 1, 8) end,
         timestamptz '2020-01-01' + g * interval '1 minute',
         timestamptz '2020-01-02' + g * interval '1 minute',
         case when g % 100 = 99 then timestamptz '2024-01-01' end
  from generate_series(1, $1::int) g`;

// 1 or 2 wallets per user (1.5 on average). Addresses are checked per chain (checksums included),
// which SQL cannot make for Solana or Bitcoin: every wallet is an EVM one, 40 lower-case hex from md5.
const WALLETS_SQL = `
  insert into user_wallets (user_id, chain, address, wallet_name, provider, created_at)
  select g,
         (array['ethereum','polygon'])[1 + (g + w) % 2],
         case (g + w) % 2
           when 0 then '0x' || md5('w' || g || '-' || w) || substr(md5('x' || g), 1, 8)
           else '0x' || md5('p' || g || '-' || w) || substr(md5('q' || g), 1, 8)
         end,
         case when w = 1 then null else 'Wallet ' || w end,
         (array['metamask','phantom','walletconnect','coinbase'])[1 + (g + w) % 4],
         timestamptz '2020-01-01' + g * interval '1 minute'
  from generate_series(1, $1::int) g
  cross join lateral generate_series(1, 1 + g % 2) w`;

// 70% of users have one OAuth identity.
const IDENTITIES_SQL = `
  insert into user_identities (user_id, provider, provider_uid, email, display_name, username, avatar_url, created_at)
  select g,
         (array['google_oauth2','github','discord'])[1 + g % 3],
         (100000000 + g)::text,
         'user' || g || '@example.com',
         'User ' || g,
         case when g % 3 = 0 then null else 'user_' || g end,
         'https://avatars.githubusercontent.com/u/' || (100000000 + g),
         timestamptz '2020-01-01' + g * interval '1 minute'
  from generate_series(1, $1::int) g
  where g % 10 < 7`;

// 90% of users have a profile row.
const PROFILES_SQL = `
  insert into user_profiles (user_id, bio, location, updated_at)
  select g, 'Bio of user ' || g, (array['Lagos','Lisbon','Leeds','Lima'])[1 + g % 4], timestamptz '2021-01-01' + g * interval '1 minute'
  from generate_series(1, $1::int) g
  where g % 10 <> 9`;
