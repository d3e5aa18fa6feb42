import type { UserPayload } from '../contract/index.js';
import { maskValue } from '../shared/mask.js';

/**
 * Payload fields shown in clear: enums, flags and dates that say nothing about a person on their
 * own. Everything else (email, names, phone, username, addresses, account ids, photos, metadata
 * values) is masked. An allowlist, so a field added to the contract later is masked by default.
 */
const CLEAR_FIELDS = new Set([
  'country',
  'emailVerifiedAt',
  'mfaBackupCodeAcknowledgement',
  'policiesConsent',
  'emailNotification',
  'discordNotification',
  'newsletterNotification',
]);
const CLEAR_WALLET_FIELDS = new Set(['chain', 'walletProvider']);
const CLEAR_ADDRESS_FIELDS = new Set(['type']);
const CLEAR_OAUTH_FIELDS = new Set(['provider']);

/**
 * A copy of a payload fit for a report: the shape is kept (so a reader sees which fields a user
 * gets, and how many wallets and accounts), personal values are replaced by `maskValue`'s
 * description (`j…m (17 chars)`). Metadata values are masked too, except the legacy id (a row id,
 * which the report names anyway). Pure.
 */
export function maskPayload(payload: UserPayload, legacyIdKey: string): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    if (field === 'wallets') masked[field] = (payload.wallets ?? []).map((wallet) => maskWallet(wallet));
    else if (field === 'oauthAccounts') masked[field] = (payload.oauthAccounts ?? []).map((account) => maskObject(account, CLEAR_OAUTH_FIELDS));
    else if (field === 'metadata') masked[field] = maskMetadata(payload.metadata ?? {}, legacyIdKey);
    else masked[field] = CLEAR_FIELDS.has(field) ? value : maskLeaf(value);
  }
  return masked;
}

function maskWallet(wallet: NonNullable<UserPayload['wallets']>[number]): Record<string, unknown> {
  const masked = maskObject(wallet, CLEAR_WALLET_FIELDS);
  if (wallet.additionalWalletAddresses) {
    masked.additionalWalletAddresses = wallet.additionalWalletAddresses.map((address) => maskObject(address, CLEAR_ADDRESS_FIELDS));
  }
  return masked;
}

function maskMetadata(metadata: Record<string, unknown>, legacyIdKey: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [key, key === legacyIdKey && typeof value !== 'object' ? value : maskLeaf(value)]),
  );
}

function maskObject(value: object, clear: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, clear.has(key) ? field : maskLeaf(field)]));
}

/** Arrays of strings (emails, photos) keep their length, each item masked. */
function maskLeaf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => maskValue(item));
  return maskValue(value);
}
