import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CheckpointError, coerceError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION, type CheckpointTables } from './checkpoint-schema.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const OUR_TABLES = ['schema_version', 'job', 'batches', 'ledger', 'in_doubt', 'sends', 'rejections'];

/** An open checkpoint database: kysely for queries, the raw handle for pragmas and closing. */
export interface OpenDatabase {
  db: Kysely<CheckpointTables>;
  raw: Database.Database;
}

function damaged(path: string, reason: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    `checkpoint ${path} is damaged: ${reason}. It was left untouched; move it aside or run \`dynamic-migrate reset\` to start the job over`,
    { code: 'checkpoint_damaged' },
    cause === undefined ? undefined : { cause },
  );
}

/** Creates the file with mode 0600 before SQLite does: it holds emails and error messages. */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
}

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    return header.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function configure(raw: Database.Database): void {
  raw.pragma('journal_mode = WAL');
  // NORMAL: a commit writes the WAL but does not fsync it, which already survives kill -9. What FULL
  // adds (surviving a power cut or an OS crash) the store gets from `createWalSync`: every write
  // resolves only after an fdatasync of the WAL, run off the event loop. FULL's fsync inside
  // better-sqlite3's synchronous commit blocked the pipeline's one thread ~4 ms, three times a batch.
  raw.pragma('synchronous = NORMAL');
  // A second process (e.g. `status` during a run) waits for a write instead of failing at once.
  raw.pragma('busy_timeout = 5000');
}

/** Returns the schema version found, 0 for an empty database; throws when the file is not ours. */
function schemaVersionOf(path: string, raw: Database.Database): number {
  const tables = new Set(
    (raw.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[])
      .map((row) => row.name)
      .filter((name) => !name.startsWith('sqlite_')),
  );
  if (tables.size === 0) return 0;
  if (!tables.has('schema_version')) throw damaged(path, 'it is not a dynamic-migrate checkpoint (no schema_version table)');
  const row = raw.prepare('select max(version) as version from schema_version').get() as { version: number | null };
  const version = row.version ?? 0;
  if (version > SCHEMA_VERSION) {
    throw new CheckpointError(
      `checkpoint ${path} has schema version ${version}, newer than this dynamic-migrate understands (${SCHEMA_VERSION}); upgrade dynamic-migrate`,
      { code: 'checkpoint_version' },
    );
  }
  const missing = OUR_TABLES.filter((name) => !tables.has(name));
  if (version === SCHEMA_VERSION && missing.length > 0) {
    throw damaged(path, `tables missing: ${missing.join(', ')}`);
  }
  if (version === 0) throw damaged(path, 'schema_version table is empty');
  return version;
}

async function migrate(db: Kysely<CheckpointTables>, from: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const up of MIGRATIONS.slice(from)) await up(trx);
    await trx.deleteFrom('schema_version').execute();
    await trx.insertInto('schema_version').values({ version: SCHEMA_VERSION }).execute();
  });
}

/**
 * Opens (or, with `create`, creates) a checkpoint database: WAL, synchronous NORMAL, schema migrated.
 * Never starts over silently: a file that is not a checkpoint of ours is reported as damaged.
 */
export async function openDatabase(path: string, options: { create: boolean }): Promise<OpenDatabase> {
  const exists = existsSync(path);
  if (!exists && !options.create) {
    throw new CheckpointError(`no checkpoint for job ${basename(path, '.db')} (${path} does not exist)`, {
      code: 'checkpoint_missing',
      exitCode: 2,
    });
  }
  if (!exists) createPrivateFile(path);
  chmodSync(path, 0o600); // in case the file was created (or copied) with a looser mode

  const header = readHeader(path);
  if (header.length > 0 && !header.equals(SQLITE_HEADER)) throw damaged(path, 'it is not an SQLite database');

  let raw: Database.Database;
  try {
    raw = new Database(path, { fileMustExist: true });
  } catch (error) {
    throw damaged(path, coerceError(error).message, error);
  }
  try {
    configure(raw);
    const version = schemaVersionOf(path, raw);
    if (version === 0 && !options.create) throw damaged(path, 'it holds no schema');
    const db = new Kysely<CheckpointTables>({ dialect: new SqliteDialect({ database: raw }) });
    if (version < SCHEMA_VERSION) await migrate(db, version);
    return { db, raw };
  } catch (error) {
    raw.close();
    if (error instanceof CheckpointError) throw error;
    throw damaged(path, coerceError(error).message, error);
  }
}
