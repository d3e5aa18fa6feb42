import type { z } from 'zod';
import { scalarFieldSchema } from './mapping-spec.js';

/** One problem of a mapping document: a readable path into it, and what is wrong there. */
export interface MappingIssue {
  /** `fields.email.transforms[1]`; empty for the document itself. */
  path: string;
  reason: string;
}

type Issue = z.core.$ZodIssue;

/**
 * Turns zod issues on a mapping document into path + reason pairs a person can act on. Unions
 * (the value source kinds) are resolved to the branch the author evidently meant, so a typo'd
 * transform reports `fields.email.transforms[1]`, not "invalid input" at `fields.email`.
 * Parse with `reportInput: true`: a missing key is told apart from a wrong one by its input.
 */
export function describeMappingIssues(issues: readonly Issue[]): MappingIssue[] {
  return issues.flatMap((issue) => describe(issue, []));
}

function describe(issue: Issue, prefix: readonly PropertyKey[]): MappingIssue[] {
  const path = [...prefix, ...issue.path];
  // A missing key is "required" whatever shape it should have had (a union's branches would each say why not).
  if (isMissingKey(issue) && path.length > 0) return [{ path: formatMappingPath(path), reason: 'is required' }];
  if (issue.code === 'invalid_union') {
    const branch = likelyBranch(issue.errors);
    if (branch) return branch.flatMap((inner) => describe(inner, path));
    return [{ path: formatMappingPath(path), reason: issue.message }];
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatMappingPath([...path, key]), reason: unknownKeyReason(path, key) }));
  }
  return [{ path: formatMappingPath(path), reason: issue.message }];
}

/**
 * The branch with the fewest shape mismatches (wrong type at its root, missing or unknown keys),
 * if exactly one has the fewest; otherwise the author's intent is unclear and the union's own
 * message ("expected ... or ...") is the honest answer.
 */
function likelyBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const scored = branches.map((issues) => ({ issues, score: issues.reduce((sum, issue) => sum + mismatch(issue), 0) }));
  const best = Math.min(...scored.map((branch) => branch.score));
  const winners = scored.filter((branch) => branch.score === best);
  return Number.isFinite(best) && winners.length === 1 ? winners[0]?.issues : undefined;
}

function mismatch(issue: Issue): number {
  if (issue.path.length === 0 && issue.code === 'invalid_type') return Number.POSITIVE_INFINITY;
  // An enum of names offered an object (a `{ truncate: N }` transform) is a different shape, not a wrong name.
  if (issue.path.length === 0 && issue.code === 'invalid_value' && typeof issue.input === 'object' && issue.input !== null) return Number.POSITIVE_INFINITY;
  if (issue.code === 'unrecognized_keys') return issue.keys.length;
  return issue.path.length === 1 && isMissingKey(issue) ? 1 : 0;
}

function isMissingKey(issue: Issue): boolean {
  return issue.input === undefined && ['invalid_type', 'invalid_value', 'invalid_union'].includes(issue.code);
}

function unknownKeyReason(path: readonly PropertyKey[], key: string): string {
  if (path.length === 1 && path[0] === 'fields') {
    const hint = closest(key, scalarFieldSchema.options);
    return `is not a scalar field of the API's user object${hint ? ` (did you mean "${hint}"?)` : ''}`;
  }
  return 'is not a known key here';
}

/** A name one or two edits away (case ignored), to turn a typo into a suggestion. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(word.toLowerCase(), candidate.toLowerCase()) }));
  scored.sort((a, b) => a.distance - b.distance);
  const first = scored[0];
  return first && first.distance <= 2 ? first.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** `['fields', 'email', 'transforms', 1]` → `fields.email.transforms[1]`. */
function formatMappingPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out === '' ? String(key) : `${out}.${String(key)}`;
  }, '');
}
