import { isBlank } from './column-path.js';
import { compileListBuilder, type ListBuilder } from './compile-list-rules.js';
import { compileValueSource, evaluateField, generateAssigner } from './compile-value-source.js';
import type { Assigner, CompiledValue } from './compile-value-source.js';
import type { WalletRule } from './mapping-spec.js';
import type { RowContext } from './row-context.js';

/** Wallet parts named alike in the rule and in the API's wallet object. */
const WALLET_PARTS = ['chain', 'walletName', 'walletProvider'] as const;

/** Builds the `wallets` of one source row (see {@link compileWalletRules}). */
export type WalletsBuilder = ListBuilder;

interface CompiledWalletRule {
  from: WalletRule['from'];
  address: CompiledValue;
  assignParts: Assigner;
}

/**
 * Compiles the wallet rules into a builder of the payload's `wallets`: one per record of each rule
 * (the user row, each child row, or each element of a JSON array), skipping records whose address
 * is null or blank: a user without that wallet is not an error. Null parts are left out, so the
 * contract reports them as `required`.
 */
export function compileWalletRules(rules: readonly WalletRule[]): WalletsBuilder {
  const compiled = rules.map((rule): CompiledWalletRule => ({
    from: rule.from,
    address: compileValueSource(rule.address),
    assignParts: generateAssigner(WALLET_PARTS.map((part) => ({ key: part, field: part, value: compileValueSource(rule[part]) }))),
  }));
  return compileListBuilder('wallets', compiled, buildWallet);
}

function buildWallet(rule: CompiledWalletRule, record: Readonly<Record<string, unknown>>, context: RowContext): Record<string, unknown> | undefined {
  context.field = 'publicWalletAddress';
  const address = evaluateField(rule.address, record, context);
  // undefined: a problem was recorded; the wallet is still built, so the user is rejected.
  if (address !== undefined && isBlank(address)) return undefined;
  const wallet: Record<string, unknown> = {};
  if (address !== undefined) wallet.publicWalletAddress = address;
  rule.assignParts(wallet, record, context);
  return wallet;
}
