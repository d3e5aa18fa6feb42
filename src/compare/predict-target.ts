/**
 * What a run would do to one user in Dynamic, judged from the users found with its email (or
 * username): `create` when nobody has it; `update` when the one who has it carries this legacy id
 * (a rerun with upsert updates it); `conflict` when someone else has it (another legacy id, or
 * none): without `--upsert` Dynamic answers `email_already_exists` / `username_already_exists`,
 * with `--upsert` it would overwrite that person's profile.
 */
export type TargetPrediction = 'create' | 'update' | 'conflict';

/** One user found in Dynamic, as the prediction needs it. */
export interface FoundTargetUser {
  /** `metadata[legacyIdKey]` as a string; null when the user carries none (not created by a migration). */
  legacyId: string | null;
}

/**
 * Predicts `create`, `update` or `conflict` for the user with `legacyId`, given who holds its
 * email (or username) in Dynamic. Several holders (possible only when the API matches loosely)
 * predict `update` only if every one of them is this user. Pure.
 */
export function predictTarget(legacyId: string, found: readonly FoundTargetUser[]): TargetPrediction {
  if (found.length === 0) return 'create';
  return found.every((user) => user.legacyId === legacyId) ? 'update' : 'conflict';
}
