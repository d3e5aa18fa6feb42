import type { ReportTarget } from '../report/report-json.js';

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

/** Example legacy ids kept per prediction (the report shows `update` and `conflict` ones). */
const MAX_TARGET_EXAMPLES = 10;

/**
 * Counts predictions in bounded memory, however many users: three counters and up to
 * {@link MAX_TARGET_EXAMPLES} legacy ids (row ids, never personal values) for updates and conflicts.
 */
export class TargetTally {
  private readonly counts: Record<TargetPrediction, number> = { create: 0, update: 0, conflict: 0 };
  private readonly examples = { update: [] as string[], conflict: [] as string[] };
  private notCompared = 0;
  private error: string | undefined;

  add(legacyId: string, prediction: TargetPrediction): void {
    this.counts[prediction] += 1;
    if (prediction === 'create') return;
    const examples = this.examples[prediction];
    if (examples.length < MAX_TARGET_EXAMPLES) examples.push(legacyId);
  }

  /** A user that would be sent but was not looked up (no email nor username, or the comparison stopped). */
  skip(): void {
    this.notCompared += 1;
  }

  /** The comparison stopped early; the first reason is kept. */
  stop(reason: string): void {
    this.error ??= reason;
  }

  result(): ReportTarget {
    const { create, update, conflict } = this.counts;
    const sorted = (ids: string[]) => [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return {
      compared: create + update + conflict,
      create,
      update,
      conflict,
      notCompared: this.notCompared,
      examples: { conflict: sorted(this.examples.conflict), update: sorted(this.examples.update) },
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}
