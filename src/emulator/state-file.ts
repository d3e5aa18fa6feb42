import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { coalesceRuns } from '../shared/coalesce-runs.js';
import { storedUserSchema, type StoredUser } from './stored-user.js';
import type { StoreContent } from './user-store.js';

const STATE_VERSION = 1;

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  environments: z.record(z.string(), z.array(storedUserSchema)),
});

/**
 * Reads the emulator's state file. A missing file is a fresh start; an unreadable or malformed
 * one is an error, never an empty emulator (that would let a rehearsal re-create everyone).
 */
export async function loadStateFile(path: string): Promise<StoreContent | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read emulator state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Emulator state file ${path} is corrupt (not JSON); fix or delete it`, { cause: error });
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unknown problem';
    throw new ConfigError(`Emulator state file ${path} is corrupt (${where}); fix or delete it`, { cause: parsed.error });
  }
  // The schema checked what the indexes rely on; the rest is what this emulator wrote itself.
  return parsed.data.environments as unknown as Record<string, StoredUser[]>;
}

let tmpCounter = 0;

/** Writes the state atomically (temp file, then rename) with mode 0600: it holds personal data. */
export async function writeStateFile(path: string, content: StoreContent): Promise<void> {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  const text = JSON.stringify({ version: STATE_VERSION, environments: content });
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Serializes saves: at most one write runs, and saves asked for meanwhile share one follow-up
 * write, which snapshots the state when it starts, so every caller's change is on disk when its
 * promise resolves.
 */
export function createStateSaver(path: string, content: () => StoreContent): () => Promise<void> {
  return coalesceRuns(() => writeStateFile(path, content()));
}
