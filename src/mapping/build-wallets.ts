import { evaluateField } from './evaluate-value.js';
import type { RowState } from './evaluate-value.js';
import type { WalletRule } from './mapping-spec.js';
import { recordsOrProblem } from './records-for.js';
import type { SourceRow } from './source-row.js';

/** Wallet parts named alike in the rule and in the API's wallet object. */
const WALLET_PARTS = ['chain', 'walletName', 'walletProvider'] as const;

/**
 * Builds the payload's `wallets`: one per record of each rule (the user row, each child row, or
 * each element of a JSON array), skipping records whose address is null or blank: a user without
 * that wallet is not an error. Null parts are left out, so the contract reports them as `required`.
 */
export function buildWallets(rules: readonly WalletRule[], source: SourceRow, state: RowState): Record<string, unknown>[] {
  const wallets: Record<string, unknown>[] = [];
  for (const rule of rules) {
    for (const record of recordsOrProblem(rule.from, source, 'wallets', state.problems)) {
      const at = `wallets[${wallets.length}]`;
      const address = evaluateField(rule.address, record, `${at}.publicWalletAddress`, state);
      if (address === null || (typeof address === 'string' && address.trim() === '')) continue;
      const wallet: Record<string, unknown> = {};
      if (address !== undefined) wallet.publicWalletAddress = address;
      for (const part of WALLET_PARTS) {
        const value = evaluateField(rule[part], record, `${at}.${part}`, state);
        if (value != null) wallet[part] = value;
      }
      wallets.push(wallet);
    }
  }
  return wallets;
}
