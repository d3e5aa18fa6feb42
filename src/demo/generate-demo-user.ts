import { demoAddress, WALLET_NAMES, WALLET_PROVIDERS_BY_CHAIN, type DemoChain } from './demo-addresses.js';
import { EMAIL_DOMAINS, JOB_TITLES, NAME_POOLS, PLANS } from './demo-names.js';
import { createPrng, type Prng } from './prng.js';

type Row = Record<string, unknown>;

/** The ways a demo user is made deliberately invalid for the Dynamic API. */
// The kinds the example mapping rejects come first, so a seed of a few hundred users already holds both outcomes.
export const INVALID_KINDS = ['malformed_email', 'dogecoin_wallet', 'emoji_in_name', 'long_username', 'alpha3_country'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];
/**
 * The kinds the example mapping rejects: a malformed email and an unsupported chain. The others
 * (an emoji in a name, a long username, an alpha-3 country) cost that optional field: the user is
 * sent without it (`onInvalid` defaults to `drop` for optional profile fields).
 */
export const REJECTED_KINDS: ReadonlySet<InvalidKind> = new Set(['malformed_email', 'dogecoin_wallet']);

/** One generated legacy user with its child rows. */
export interface DemoUser {
  user: Row;
  wallets: Row[];
  identities: Row[];
}

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2019, 0, 1);
const VALID_CHAINS: readonly DemoChain[] = ['ethereum', 'solana', 'polygon', 'bitcoin'];
const OAUTH_PROVIDERS = ['google_oauth2', 'github', 'discord'] as const;

/**
 * Generates demo user `id` (pure: same seed and id, same user). `used` holds every wallet and
 * OAuth identity handed out so far, so no two users share one; emails and usernames carry the id
 * and are unique by construction.
 */
export function generateDemoUser(seed: number, id: number, used: Set<string>, invalid?: InvalidKind): DemoUser {
  const rng = createPrng(seed, id);
  const pool = rng.pick(NAME_POOLS);
  const [firstName, firstAscii] = rng.pick(pool.first);
  const [lastName, lastAscii] = rng.pick(pool.last);
  const createdAt = new Date(EPOCH + rng.int(0, 5 * 365) * DAY_MS + rng.int(0, DAY_MS - 1));
  const updatedAt = new Date(createdAt.getTime() + rng.int(0, 400) * DAY_MS);
  const hasWallets = rng.chance(0.3);
  const hasEmail = !hasWallets || rng.chance(0.9); // wallet-only users have no email
  const ethOnRow = rng.chance(0.1);

  const user: Row = {
    id: String(id),
    email: hasEmail ? demoEmail(rng, firstAscii, lastAscii, id) : null,
    username: rng.chance(0.85) ? `${firstAscii.slice(0, 10)}${lastAscii.slice(0, 1)}_${id}` : null,
    first_name: firstName,
    last_name: lastName,
    country: rng.chance(0.85) ? rng.pick(pool.countries) : null,
    phone: rng.chance(0.4) ? `+${rng.int(1, 99)} ${rng.int(100, 999)}-${rng.int(100, 999)}-${rng.int(1000, 9999)}` : null,
    job_title: rng.chance(0.5) ? rng.pick(JOB_TITLES) : null,
    email_verified_at: hasEmail && rng.chance(0.7) ? new Date(createdAt.getTime() + rng.int(60_000, DAY_MS)) : null,
    marketing_opt_in: rng.chance(0.35),
    plan: rng.pick(PLANS),
    eth_address: ethOnRow ? uniqueAddress('ethereum', rng, used) : null,
    created_at: createdAt,
    updated_at: updatedAt,
    deleted_at: !invalid && rng.chance(0.05) ? new Date(updatedAt.getTime() + rng.int(1, 90) * DAY_MS) : null,
  };

  // A user with eth_address on the row has no ethereum child wallet, so no wallet is listed twice.
  const chains = hasWallets ? shuffle(rng, VALID_CHAINS.filter((c) => !(ethOnRow && c === 'ethereum'))).slice(0, rng.int(1, 3)) : [];
  const wallets = chains.map((chain) => demoWallet(rng, id, chain, createdAt, used));
  const identities = (rng.chance(0.3) ? shuffle(rng, OAUTH_PROVIDERS).slice(0, rng.int(1, 2)) : []).map((provider) =>
    demoIdentity(rng, id, provider, user, createdAt, used),
  );

  const generated = { user, wallets, identities };
  if (invalid) makeInvalid(generated, invalid, rng, used, createdAt);
  return generated;
}

function demoEmail(rng: Prng, first: string, last: string, id: number): string {
  const local = `${first}.${last}${id}`;
  const domain = rng.pick(EMAIL_DOMAINS);
  // Legacy data has mixed-case emails: 'Emma.Smith42@Example.com'.
  return rng.chance(0.3) ? `${capitalize(first)}.${capitalize(last)}${id}@${domain}` : `${local}@${domain.toLowerCase()}`;
}

function demoWallet(rng: Prng, id: number, chain: DemoChain, createdAt: Date, used: Set<string>): Row {
  const provider = rng.pick(WALLET_PROVIDERS_BY_CHAIN[chain]);
  return {
    user_id: String(id),
    chain,
    address: uniqueAddress(chain, rng, used),
    wallet_name: WALLET_NAMES[provider] ?? provider,
    provider,
    created_at: new Date(createdAt.getTime() + rng.int(0, 200) * DAY_MS),
  };
}

function demoIdentity(rng: Prng, id: number, provider: string, user: Row, createdAt: Date, used: Set<string>): Row {
  let uid: string;
  do {
    uid =
      provider === 'google_oauth2' ? `1${rng.chars('0123456789', 20)}`
      : provider === 'github' ? String(rng.int(1, 99_999_999))
      : `${rng.int(1, 9)}${rng.chars('0123456789', 17)}`;
  } while (used.has(`oauth:${provider}:${uid}`));
  used.add(`oauth:${provider}:${uid}`);
  const handle = `${String(user.username ?? `user${id}`).toLowerCase()}`;
  return {
    user_id: String(id),
    provider,
    provider_uid: uid,
    email: typeof user.email === 'string' ? user.email.toLowerCase() : null,
    display_name: `${String(user.first_name)} ${String(user.last_name)}`,
    username: provider === 'google_oauth2' ? null : handle,
    avatar_url:
      provider === 'github' ? `https://avatars.githubusercontent.com/u/${uid}`
      : provider === 'discord' ? `https://cdn.discordapp.com/avatars/${uid}/a${rng.chars('0123456789abcdef', 31)}.png`
      : `https://lh3.googleusercontent.com/a/${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 28)}`,
    created_at: new Date(createdAt.getTime() + rng.int(0, 30) * DAY_MS),
  };
}

function makeInvalid(generated: DemoUser, kind: InvalidKind, rng: Prng, used: Set<string>, createdAt: Date): void {
  const { user } = generated;
  const id = Number(user.id);
  switch (kind) {
    case 'emoji_in_name':
      user.first_name = `${String(user.first_name)} 🚀`;
      break;
    case 'long_username':
      user.username = `${`the_real_${String(user.id)}_`.padEnd(30, 'x')}`;
      break;
    case 'alpha3_country':
      user.country = rng.pick(['USA', 'DEU', 'FRA', 'JPN']);
      break;
    case 'malformed_email':
      user.email = rng.chance(0.5) ? `broken..address${id}@example.com` : `no-at-sign-${id}.example.com`;
      break;
    case 'dogecoin_wallet':
      generated.wallets.push(demoWallet(rng, id, 'dogecoin', createdAt, used));
      break;
  }
}

function uniqueAddress(chain: DemoChain, rng: Prng, used: Set<string>): string {
  let address: string;
  do address = demoAddress(chain, rng);
  while (used.has(`wallet:${address.toLowerCase()}`));
  used.add(`wallet:${address.toLowerCase()}`);
  return address;
}

function shuffle<T>(rng: Prng, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
