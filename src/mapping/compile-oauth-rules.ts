import { isBlank } from './column-path.js';
import { compileListBuilder, type ListBuilder } from './compile-list-rules.js';
import { compileValueSource, evaluateField, compileAssigner } from './compile-value-source.js';
import type { Assigner, CompiledValue, NamedValue } from './compile-value-source.js';
import type { OauthRule } from './mapping-spec.js';
import type { RowContext } from './row-context.js';
import type { JsonValue } from './to-json-value.js';

const SINGLE_PARTS = ['provider', 'displayName', 'username', 'profile'] as const;
const LIST_PARTS = ['emails', 'photos'] as const;

/** Builds the `oauthAccounts` of one source row (see {@link compileOauthRules}). */
export type OauthAccountsBuilder = ListBuilder;

type OptionalPart = (typeof SINGLE_PARTS)[number] | (typeof LIST_PARTS)[number];

interface CompiledOauthRule {
  from: OauthRule['from'];
  accountId: CompiledValue;
  assignSingles: Assigner;
  lists: readonly NamedValue[];
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
    assignSingles: compileAssigner(compileParts(rule, SINGLE_PARTS)),
    lists: compileParts(rule, LIST_PARTS),
  }));
  return compileListBuilder('oauthAccounts', compiled, buildAccount);
}

/** The parts a rule sets, in the order given (a part left out of the rule is never evaluated). */
function compileParts(rule: OauthRule, names: readonly OptionalPart[]): NamedValue[] {
  const parts: NamedValue[] = [];
  for (const name of names) {
    const source = rule[name];
    if (source) parts.push({ key: name, field: name, value: compileValueSource(source) });
  }
  return parts;
}

function buildAccount(rule: CompiledOauthRule, record: Readonly<Record<string, unknown>>, context: RowContext): Record<string, unknown> | undefined {
  context.field = 'accountId';
  const accountId = evaluateField(rule.accountId, record, context);
  // undefined: a problem was recorded; the account is still built, so the user is rejected.
  if (accountId !== undefined && isBlank(accountId)) return undefined;
  const account: Record<string, unknown> = {};
  rule.assignSingles(account, record, context);
  if (accountId !== undefined) account.accountId = accountId;
  for (const { key, field, value } of rule.lists) {
    context.field = field;
    const list = toList(evaluateField(value, record, context));
    if (list.length > 0) account[key] = list;
  }
  return account;
}

function toList(value: JsonValue | undefined): JsonValue[] {
  if (value == null) return [];
  return Array.isArray(value) ? value.filter((item) => item !== null) : [value];
}
