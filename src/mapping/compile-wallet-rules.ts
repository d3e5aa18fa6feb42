import { compileValueSource, evaluateField } from './compile-value-source.js';
import type { CompiledValue } from './compile-value-source.js';
import type { WalletRule } from './mapping-spec.js';
import { recordsOrProblem } from './records-for.js';
import type { RowContext } from './row-context.js';
import type { SourceRow } from './source-row.js';

/** Wallet parts named alike in the rule and in the API's wallet object. */
const WALLET_PARTS = ['chain', 'walletName', 'walletProvider'] as const;

/** Builds the `wallets` of one source row (see {@link compileWalletRules}). */
export type WalletsBuilder = (source: SourceRow, context: RowContext) => Record<string, unknown>[];

/**
 * Compiles the wallet rules into a builder of the payload's `wallets`: one per record of each rule
 * (the user row, each child row, or each element of a JSON array), skipping records whose address
 * is null or blank: a user without that wallet is not an error. Null parts are left out, so the
 * contract reports them as `required`.
 */
export function compileWalletRules(rules: readonly WalletRule[]): WalletsBuilder {
  const compiled = rules.map((rule) => ({
    from: rule.from,
    address: compileValueSource(rule.address),
    parts: WALLET_PARTS.map((part) => [part, compileValueSource(rule[part])] as const),
  }));
  return (source, context) => {
    const wallets: Record<string, unknown>[] = [];
    for (const rule of compiled) {
      for (const record of recordsOrProblem(rule.from, source, 'wallets', context)) {
        context.list = 'wallets';
        context.index = wallets.length;
        const wallet = buildWallet(rule.address, rule.parts, record, context);
        if (wallet) wallets.push(wallet);
      }
    }
    context.list = undefined;
    return wallets;
  };
}

function buildWallet(
  addressOf: CompiledValue,
  parts: readonly (readonly [string, CompiledValue])[],
  record: Readonly<Record<string, unknown>>,
  context: RowContext,
): Record<string, unknown> | undefined {
  context.field = 'publicWalletAddress';
  const address = evaluateField(addressOf, record, context);
  if (address === null || (typeof address === 'string' && address.trim() === '')) return undefined;
  const wallet: Record<string, unknown> = {};
  if (address !== undefined) wallet.publicWalletAddress = address;
  for (const [part, valueOf] of parts) {
    context.field = part;
    const value = evaluateField(valueOf, record, context);
    if (value != null) wallet[part] = value;
  }
  return wallet;
}
