import type { ComparableUser } from './comparable-user.js';

/** A field of {@link ComparableUser} whose values differ between the source and Dynamic. */
export type ComparedField = keyof ComparableUser;

const SCALARS = ['email', 'username', 'firstName', 'lastName', 'country'] as const;

/**
 * Emails and country codes are matched without regard to case: Dynamic treats emails
 * case-insensitively and country codes are ISO letters. Names and usernames are compared exactly,
 * since a changed capitalisation is a real edit someone will want to see.
 */
const CASE_INSENSITIVE: ReadonlySet<ComparedField> = new Set(['email', 'country']);

function sameScalar(field: ComparedField, expected: string | null, actual: string | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  return CASE_INSENSITIVE.has(field) ? expected.toLowerCase() === actual.toLowerCase() : expected === actual;
}

function sameSet(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length !== actual.length) return false;
  const seen = new Set(actual);
  return expected.every((value) => seen.has(value));
}

/**
 * Which fields of the user Dynamic holds differ from what the source maps to; empty when they
 * agree. Wallets (`chain:address`) and OAuth accounts (`provider:accountId`) are compared as sets,
 * so order never matters. Pure, and it returns field names only, never values, so its result can
 * be printed without exposing personal data.
 */
export function compareUser(expected: ComparableUser, actual: ComparableUser): ComparedField[] {
  const differing: ComparedField[] = [];
  for (const field of SCALARS) {
    if (!sameScalar(field, expected[field], actual[field])) differing.push(field);
  }
  if (!sameSet(expected.wallets, actual.wallets)) differing.push('wallets');
  if (!sameSet(expected.oauthAccounts, actual.oauthAccounts)) differing.push('oauthAccounts');
  return differing;
}
