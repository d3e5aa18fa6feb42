import type { ApiUser } from '../../src/emulator/index.js';
import type { EmulatorProcess } from './emulator-process.js';

/** Keys Dynamic generates or that depend on when (not what) a user was written. */
const GENERATED_KEYS = new Set(['id', 'createdAt', 'updatedAt', 'newUser']);

/** The user's legacy id (`metadata.legacyId`), as the example mapping writes it. */
export function legacyIdOf(user: ApiUser): string {
  return String((user.metadata as Record<string, unknown> | undefined)?.legacyId);
}

/**
 * A user as a migration left it, minus what Dynamic generates (ids, timestamps, `newUser`), with
 * wallets, OAuth accounts and credentials in a canonical order: equal strings mean equal data.
 */
export function canonicalUser(user: ApiUser): string {
  return JSON.stringify(canonical(user));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical).map((item) => JSON.stringify(item)).sort().map((item) => JSON.parse(item) as unknown);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([key]) => !GENERATED_KEYS.has(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, item]) => [key, canonical(item)] as const);
  return Object.fromEntries(entries);
}

/**
 * What a migration left in one environment of the emulator: one canonical line per stored user,
 * sorted. Two runs that landed the same users with the same data give equal arrays; a user stored
 * twice shows up as two lines.
 */
export async function landedState(emulator: EmulatorProcess, environmentId: string): Promise<string[]> {
  const users = await emulator.listUsers(environmentId);
  return users.map(canonicalUser).sort();
}
