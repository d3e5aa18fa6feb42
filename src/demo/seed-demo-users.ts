import { sql } from 'kysely';
import type { SourceDb } from '../extract/connect-source.js';
import { generateDemoUser, INVALID_KINDS, REJECTED_KINDS, type DemoUser, type InvalidKind } from './generate-demo-user.js';

/** Options of {@link seedDemoUsers}. */
export interface SeedDemoUsersOptions {
  /** Users to insert, soft-deleted and invalid ones included. */
  count: number;
  /**
   * Seed of the pseudo-random generator: same seed, same rows (in an empty database).
   * @default 1
   */
  seed?: number;
  /**
   * Every Nth user is made deliberately invalid for the API, cycling through the invalid kinds;
   * 0 makes none.
   * @default 100
   */
  invalidEvery?: number;
}

/** What {@link seedDemoUsers} inserted. */
export interface SeedDemoUsersResult {
  users: number;
  deleted: number;
  wallets: number;
  identities: number;
  /** The users the example mapping rejects: their kind (a malformed email, an unsupported chain) rejects by default. */
  deliberatelyInvalid: number;
  /** Every deliberately invalid user (never soft-deleted), with its kind. */
  invalid: { key: string; kind: InvalidKind }[];
  /** Of those, the users sent all the same with a value dropped (an optional field's `onInvalid` is `drop` by default). */
  droppedValue: number;
}

/** Users per insert statement: 15 columns each, far below PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

/**
 * Inserts `count` deterministic, realistic legacy users into the demo schema (see
 * {@link createDemoSchema}): names in several scripts, mixed-case emails and countries, ~30% with
 * wallets, ~30% with OAuth identities, ~5% soft-deleted, and every `invalidEvery`th user invalid.
 * Ids continue after the largest existing id. Runs in one transaction, in multi-row chunks.
 */
export async function seedDemoUsers(db: SourceDb, opts: SeedDemoUsersOptions): Promise<SeedDemoUsersResult> {
  const seed = opts.seed ?? 1;
  const invalidEvery = opts.invalidEvery ?? 100;
  const result: SeedDemoUsersResult = { users: 0, deleted: 0, wallets: 0, identities: 0, deliberatelyInvalid: 0, invalid: [], droppedValue: 0 };
  const used = new Set<string>();

  await db.transaction().execute(async (trx) => {
    const max = await sql<{ max: string | null }>`select max(id)::text as max from users`.execute(trx);
    const firstId = Number(max.rows[0]?.max ?? 0) + 1;
    for (let start = 0; start < opts.count; start += CHUNK) {
      const chunk: DemoUser[] = [];
      for (let index = start; index < Math.min(start + CHUNK, opts.count); index++) {
        const kind = invalidEvery > 0 && index % invalidEvery === invalidEvery - 1
          ? INVALID_KINDS[Math.floor(index / invalidEvery) % INVALID_KINDS.length]
          : undefined;
        const generated = generateDemoUser(seed, firstId + index, used, kind);
        chunk.push(generated);
        if (kind) result.invalid.push({ key: String(generated.user.id), kind });
      }
      await insertChunk(trx, chunk);
      result.users += chunk.length;
      result.deleted += chunk.filter((u) => u.user.deleted_at !== null).length;
      result.wallets += chunk.reduce((n, u) => n + u.wallets.length, 0);
      result.identities += chunk.reduce((n, u) => n + u.identities.length, 0);
    }
    // Explicit ids bypass the sequence; move it past them so later inserts do not collide.
    await sql`select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))`.execute(trx);
  });
  result.deliberatelyInvalid = result.invalid.filter((user) => REJECTED_KINDS.has(user.kind)).length;
  result.droppedValue = result.invalid.length - result.deliberatelyInvalid;
  return result;
}

async function insertChunk(db: SourceDb, chunk: DemoUser[]): Promise<void> {
  if (chunk.length === 0) return;
  await db.insertInto('users').values(chunk.map((u) => u.user)).execute();
  const wallets = chunk.flatMap((u) => u.wallets);
  if (wallets.length > 0) await db.insertInto('user_wallets').values(wallets).execute();
  const identities = chunk.flatMap((u) => u.identities);
  if (identities.length > 0) await db.insertInto('user_identities').values(identities).execute();
}
