import { compileValueSource, evaluateField } from './compile-value-source.js';
import type { CompiledValue } from './compile-value-source.js';
import type { OauthRule } from './mapping-spec.js';
import { recordsOrProblem } from './records-for.js';
import type { RowContext } from './row-context.js';
import type { SourceRow } from './source-row.js';
import type { JsonValue } from './to-json-value.js';

const SINGLE_PARTS = ['provider', 'displayName', 'username', 'profile'] as const;
const LIST_PARTS = ['emails', 'photos'] as const;

/** Builds the `oauthAccounts` of one source row (see {@link compileOauthRules}). */
export type OauthAccountsBuilder = (source: SourceRow, context: RowContext) => Record<string, unknown>[];

type OptionalPart = (typeof SINGLE_PARTS)[number] | (typeof LIST_PARTS)[number];
type Parts = readonly (readonly [string, CompiledValue])[];

interface CompiledOauthRule {
  from: OauthRule['from'];
  accountId: CompiledValue;
  singles: Parts;
  lists: Parts;
}

/**
 * Compiles the OAuth rules into a builder of the payload's `oauthAccounts`: one per record of each
 * rule (child row, user row or JSON array element), skipping records whose accountId is null or
 * blank. `emails`/`photos` take one string or a list; nulls are dropped and an empty list is left
 * out. `profile` is passed as is: the contract rejects it unless it is an object.
 */
export function compileOauthRules(rules: readonly OauthRule[]): OauthAccountsBuilder {
  const compiled = rules.map((rule): CompiledOauthRule => ({
    from: rule.from,
    accountId: compileValueSource(rule.accountId),
    singles: compileParts(rule, SINGLE_PARTS),
    lists: compileParts(rule, LIST_PARTS),
  }));
  return (source, context) => {
    const accounts: Record<string, unknown>[] = [];
    for (const rule of compiled) {
      for (const record of recordsOrProblem(rule.from, source, 'oauthAccounts', context)) {
        context.list = 'oauthAccounts';
        context.index = accounts.length;
        const account = buildAccount(rule, record, context);
        if (account) accounts.push(account);
      }
    }
    context.list = undefined;
    return accounts;
  };
}

/** The parts a rule sets, in the order given (a part left out of the rule is never evaluated). */
function compileParts(rule: OauthRule, names: readonly OptionalPart[]): Parts {
  const parts: [string, CompiledValue][] = [];
  for (const name of names) {
    const source = rule[name];
    if (source) parts.push([name, compileValueSource(source)]);
  }
  return parts;
}

function buildAccount(rule: CompiledOauthRule, record: Readonly<Record<string, unknown>>, context: RowContext): Record<string, unknown> | undefined {
  context.field = 'accountId';
  const accountId = evaluateField(rule.accountId, record, context);
  if (accountId === null || (typeof accountId === 'string' && accountId.trim() === '')) return undefined;
  const account: Record<string, unknown> = {};
  for (const [part, valueOf] of rule.singles) {
    context.field = part;
    const value = evaluateField(valueOf, record, context);
    if (value != null) account[part] = value;
  }
  if (accountId !== undefined) account.accountId = accountId;
  for (const [part, valueOf] of rule.lists) {
    context.field = part;
    const list = toList(evaluateField(valueOf, record, context));
    if (list.length > 0) account[part] = list;
  }
  return account;
}

function toList(value: JsonValue | undefined): JsonValue[] {
  if (value == null) return [];
  return Array.isArray(value) ? value.filter((item) => item !== null) : [value];
}
