import { evaluateField } from './evaluate-value.js';
import type { RowState } from './evaluate-value.js';
import type { OauthRule } from './mapping-spec.js';
import { recordsOrProblem } from './records-for.js';
import type { SourceRow } from './source-row.js';
import type { JsonValue } from './to-json-value.js';

const SINGLE_PARTS = ['provider', 'displayName', 'username', 'profile'] as const;
const LIST_PARTS = ['emails', 'photos'] as const;

/**
 * Builds the payload's `oauthAccounts`: one per record of each rule (child row, user row or JSON
 * array element), skipping records whose accountId is null or blank. `emails`/`photos` take one
 * string or a list; nulls are dropped and an empty list is left out. `profile` is passed as is:
 * the contract rejects it unless it is an object.
 */
export function buildOauthAccounts(rules: readonly OauthRule[], source: SourceRow, state: RowState): Record<string, unknown>[] {
  const accounts: Record<string, unknown>[] = [];
  for (const rule of rules) {
    for (const record of recordsOrProblem(rule.from, source, 'oauthAccounts', state.problems)) {
      const at = `oauthAccounts[${accounts.length}]`;
      const accountId = evaluateField(rule.accountId, record, `${at}.accountId`, state);
      if (accountId === null || (typeof accountId === 'string' && accountId.trim() === '')) continue;
      const account: Record<string, unknown> = {};
      for (const part of SINGLE_PARTS) {
        const source = rule[part];
        const value = source && evaluateField(source, record, `${at}.${part}`, state);
        if (value != null) account[part] = value;
      }
      if (accountId !== undefined) account.accountId = accountId;
      for (const part of LIST_PARTS) {
        const source = rule[part];
        const list = toList(source && evaluateField(source, record, `${at}.${part}`, state));
        if (list.length > 0) account[part] = list;
      }
      accounts.push(account);
    }
  }
  return accounts;
}

function toList(value: JsonValue | undefined): JsonValue[] {
  if (value == null) return [];
  return (Array.isArray(value) ? value : [value]).filter((item) => item !== null);
}
