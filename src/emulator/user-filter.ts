import type { StoredUser } from './stored-user.js';

/** `filter[filterColumn]` values the list endpoint understands (the API's list, minus `orderBy`). */
export const FILTER_COLUMNS = [
  'all', 'id', 'email', 'username', 'alias', 'firstName', 'lastName', 'phoneNumber', 'jobTitle',
  'walletPublicKey', 'wallet', 'accountId',
] as const;
export type FilterColumn = (typeof FILTER_COLUMNS)[number];

export function isFilterColumn(value: string): value is FilterColumn {
  return (FILTER_COLUMNS as readonly string[]).includes(value);
}

const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * Whether a user matches a list filter. Named columns match the whole value, case-insensitively
 * (so reconcile can look one email up exactly); `all` is a case-insensitive substring search.
 */
export function matchesFilter(user: StoredUser, column: FilterColumn, value: string): boolean {
  const p = user.profile;
  switch (column) {
    case 'id':
      return user.id === value;
    case 'email':
    case 'username':
    case 'alias':
    case 'firstName':
    case 'lastName':
    case 'phoneNumber':
    case 'jobTitle':
      return same(p[column], value);
    case 'walletPublicKey':
    case 'wallet':
      return user.wallets.some((w) => same(w.publicWalletAddress, value));
    case 'accountId':
      return user.oauthAccounts.some((a) => a.accountId === value);
    case 'all': {
      const needle = value.toLowerCase();
      const haystack = [
        user.id, p.email, p.username, p.alias, p.firstName, p.lastName, p.phoneNumber, p.jobTitle,
        ...user.wallets.map((w) => w.publicWalletAddress),
        ...user.oauthAccounts.map((a) => a.accountId),
      ];
      return haystack.some((s) => typeof s === 'string' && s.toLowerCase().includes(needle));
    }
  }
}
