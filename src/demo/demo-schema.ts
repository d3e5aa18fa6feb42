import { sql } from 'kysely';
import type { SourceDb } from '../extract/connect-source.js';

/**
 * Creates the demo legacy schema of DESIGN.md (`users`, `user_wallets`, `user_identities`) if it
 * is not there yet. Plain PostgreSQL DDL, so it runs the same on a real server and on PGlite.
 */
export async function createDemoSchema(db: SourceDb): Promise<void> {
  await sql`
    create table if not exists users (
      id bigserial primary key,
      email text,
      username text,
      first_name text,
      last_name text,
      country text,
      phone text,
      job_title text,
      email_verified_at timestamptz,
      marketing_opt_in boolean not null default false,
      plan text not null default 'free',
      eth_address text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`
    create table if not exists user_wallets (
      id bigserial primary key,
      user_id bigint not null references users(id),
      chain text not null,
      address text not null,
      wallet_name text,
      provider text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table if not exists user_identities (
      id bigserial primary key,
      user_id bigint not null references users(id),
      provider text not null,
      provider_uid text not null,
      email text,
      display_name text,
      username text,
      avatar_url text,
      created_at timestamptz not null default now()
    )`.execute(db);
  // The extractor reads children with `user_id = any($keys)`: without these it scans per page.
  await sql`create index if not exists user_wallets_user_id_idx on user_wallets (user_id)`.execute(db);
  await sql`create index if not exists user_identities_user_id_idx on user_identities (user_id)`.execute(db);
}
