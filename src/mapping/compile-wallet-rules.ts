import { isBlank } from './column-path.js';
import { compileListBuilder, type ListBuilder } from './compile-list-rules.js';
import { compileValueSource, evaluateField, compileAssigner } from './compile-value-source.js';
import type { Assigner, CompiledValue } from './compile-value-source.js';
import { EVM_CHAINS } from '../contract/identity-keys.js';
import { checkWalletAddress } from '../contract/wallet-address.js';
import type { AdditionalAddressRule, WalletRule } from './mapping-spec.js';
import { recordsOrProblem } from './records-for.js';
import type { SourceRow } from './source-row.js';
import type { RowContext } from './row-context.js';

/** Wallet parts named alike in the rule and in the API's wallet object. */
const WALLET_PARTS = ['chain', 'walletName', 'walletProvider'] as const;

/** Builds the `wallets` of one source row (see {@link compileWalletRules}). */
export type WalletsBuilder = ListBuilder;

interface CompiledWalletRule {
  from: WalletRule['from'];
  address: CompiledValue;
  assignParts: Assigner;
  extras: readonly CompiledExtraRule[];
  checksumEvm: boolean;
}

interface CompiledExtraRule {
  from: AdditionalAddressRule['from'];
  address: CompiledValue;
  parts: readonly { key: string; value: CompiledValue }[];
}

const EXTRA_PARTS = ['type', 'publicKey'] as const;

/**
 * Compiles the wallet rules into a builder of the payload's `wallets`: one per record of each rule
 * (the user row, each child row, or each element of a JSON array), skipping records whose address
 * is null or blank: a user without that wallet is not an error. Null parts are left out, so the
 * contract reports them as `required`.
 */
export function compileWalletRules(rules: readonly WalletRule[], options: { checksumEvm?: boolean } = {}): WalletsBuilder {
  const compiled = rules.map((rule): CompiledWalletRule => ({
    from: rule.from,
    address: compileValueSource(rule.address),
    assignParts: compileAssigner(WALLET_PARTS.map((part) => ({ key: part, field: part, value: compileValueSource(rule[part]) }))),
    extras: (rule.additionalAddresses ?? []).map((extra) => ({
      from: extra.from,
      address: compileValueSource(extra.address),
      parts: EXTRA_PARTS.flatMap((part) => {
        const source = extra[part];
        return source ? [{ key: part, value: compileValueSource(source) }] : [];
      }),
    })),
    checksumEvm: options.checksumEvm === true,
  }));
  return compileListBuilder('wallets', compiled, buildWallet);
}

function buildWallet(rule: CompiledWalletRule, record: Readonly<Record<string, unknown>>, context: RowContext, source: SourceRow): Record<string, unknown> | undefined {
  context.field = 'publicWalletAddress';
  const address = evaluateField(rule.address, record, context);
  // undefined: a problem was recorded; the wallet is still built, so the user is rejected.
  if (address !== undefined && isBlank(address)) return undefined;
  const wallet: Record<string, unknown> = {};
  if (address !== undefined) wallet.publicWalletAddress = address;
  rule.assignParts(wallet, record, context);
  if (rule.checksumEvm && typeof address === 'string' && typeof wallet.chain === 'string' && EVM_CHAINS.has(wallet.chain)) wallet.publicWalletAddress = checksummed(address);
  if (rule.extras.length > 0) {
    const extras = buildExtras(rule.extras, record, source, context);
    if (rule.checksumEvm) for (const extra of extras) if (extra.type === 'evm' && typeof extra.address === 'string') extra.address = checksummed(extra.address);
    if (extras.length > 0) wallet.additionalWalletAddresses = extras;
  }
  return wallet;
}

/**
 * An EVM address in its EIP-55 form (`options.checksumEvmAddresses`). Anything else is left as it
 * is for the contract to report: a mixed-case address that does not match its checksum is a typo.
 */
function checksummed(address: string): string {
  const check = checkWalletAddress('EVM', address, { checksumEvm: true });
  return check.ok ? check.address : address;
}

/**
 * The wallet's additional addresses: one per record of each extra rule (`wallet`: the wallet's own
 * record; `{ json }`: the elements of a JSON array in it; `row` or a child: as for wallets),
 * skipping records without an address. Problems are recorded under
 * `additionalWalletAddresses[j].<part>` of the wallet.
 */
function buildExtras(rules: readonly CompiledExtraRule[], wallet: Readonly<Record<string, unknown>>, source: SourceRow, context: RowContext): Record<string, unknown>[] {
  const extras: Record<string, unknown>[] = [];
  const walletField = context.field;
  for (const rule of rules) {
    context.field = 'additionalWalletAddresses';
    // A problem with the records themselves (a JSON column that is no array) is the part's, under the wallet's name.
    const records = rule.from === 'wallet' ? [wallet] : recordsOrProblem(rule.from, typeof rule.from === 'object' ? { ...source, row: wallet } : source, context.fieldName(), context);
    for (const record of records) {
      const at = `additionalWalletAddresses[${extras.length}].`;
      context.field = `${at}address`;
      const address = evaluateField(rule.address, record, context);
      if (address !== undefined && isBlank(address)) continue;
      const extra: Record<string, unknown> = {};
      if (address !== undefined) extra.address = address;
      for (const { key, value } of rule.parts) {
        context.field = `${at}${key}`;
        const part = evaluateField(value, record, context);
        if (part != null) extra[key] = part;
      }
      extras.push(extra);
    }
  }
  context.field = walletField;
  return extras;
}
