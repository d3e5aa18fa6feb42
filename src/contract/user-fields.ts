import { z } from 'zod';
import {
  ADDITIONAL_ADDRESS_TYPES,
  MFA_ACKNOWLEDGEMENTS,
  OAUTH_PROVIDERS,
  WALLET_CHAINS,
  WALLET_PROVIDERS,
} from './enums.js';
import {
  COUNTRY_PATTERN,
  EMAIL_PATTERN,
  LEGACY_WALLET_PATTERNS,
  NAME_PATTERN,
  USERNAME_PATTERN,
} from './patterns.js';
import { fitsInChars, jsonFitsInBytes } from './size-limits.js';
import { checkAdditionalAddress, checkWalletAddress, type AddressCheck } from './wallet-address.js';

/** Largest serialized `metadata` the API accepts: 512 KB. */
const METADATA_MAX_BYTES = 512 * 1024;

/** Most string fields allow 255 characters; JSON Schema counts code points, not UTF-16 units. */
const maxChars = (limit: number) =>
  z.string().refine((value) => fitsInChars(value, limit), {
    message: `longer than ${limit} characters`,
    params: { rule: 'max_length', limit },
  });

const patterned = (pattern: RegExp, rule: string) =>
  maxChars(255).refine((value) => pattern.test(value), {
    message: `does not match ${rule} ${pattern.source}`,
    params: { rule: 'pattern', pattern: rule },
  });

const nameField = patterned(NAME_PATTERN, 'name pattern');
const walletField = (pattern: RegExp, rule: string) =>
  z.string().regex(pattern, { message: `does not match ${rule} ${pattern.source}` }).nullable();

/** A failed address check as the contract's issue: its rule (`address_format`, ...) and message, never the address. */
function addressFault(ctx: z.RefinementCtx, check: AddressCheck, path: string[]): void {
  if (!check.ok) ctx.addIssue({ code: 'custom', path, message: check.message, params: { rule: check.rule } });
}

export const additionalWalletAddressSchema = z
  .strictObject({
    address: z.string().min(1),
    type: z.enum(ADDITIONAL_ADDRESS_TYPES),
    publicKey: z.string().optional(),
  })
  .superRefine((extra, ctx) => {
    if (!ADDITIONAL_ADDRESS_TYPES.includes(extra.type) || typeof extra.address !== 'string') return;
    addressFault(ctx, checkAdditionalAddress(extra.type, extra.address), ['address']);
  });

/**
 * `CreateWalletRequest`: the first four fields are required. The address must be one of its
 * chain (see `checkWalletAddress`): the API stores any text, and a mistyped address would be a
 * wallet nobody holds the key of.
 */
export const walletSchema = z
  .strictObject({
    publicWalletAddress: z.string().min(1),
    chain: z.enum(WALLET_CHAINS),
    walletName: z.string().min(1),
    walletProvider: z.enum(WALLET_PROVIDERS),
    additionalWalletAddresses: z.array(additionalWalletAddressSchema).optional(),
  })
  .superRefine((wallet, ctx) => {
    if (!WALLET_CHAINS.includes(wallet.chain) || typeof wallet.publicWalletAddress !== 'string' || wallet.publicWalletAddress === '') return;
    addressFault(ctx, checkWalletAddress(wallet.chain, wallet.publicWalletAddress), ['publicWalletAddress']);
  });
export type WalletPayload = z.infer<typeof walletSchema>;

/** `CreateUserOauthRequest`: provider and accountId are required. */
export const oauthAccountSchema = z.strictObject({
  provider: z.enum(OAUTH_PROVIDERS),
  accountId: z.string().min(1),
  emails: z.array(z.string()).optional(),
  displayName: z.string().optional(),
  username: z.string().optional(),
  photos: z.array(z.string()).optional(),
  profile: z.record(z.string(), z.unknown()).optional(),
});
export type OauthAccountPayload = z.infer<typeof oauthAccountSchema>;

/** `metadata`: free-form JSON object, at most 512 KB serialized. */
const metadataSchema = z.record(z.string(), z.unknown()).refine(
  (value) => jsonFitsInBytes(value, METADATA_MAX_BYTES),
  { message: `larger than ${METADATA_MAX_BYTES} bytes serialized`, params: { rule: 'max_size' } },
);

/**
 * `InternalUserFields`: one element of the bulk request body. Every field is optional.
 * Strict: an unknown key is a mapping mistake (`firstname` for `firstName`), not something to drop.
 */
const userFieldsSchema = z.strictObject({
  alias: nameField.optional(),
  firstName: nameField.optional(),
  lastName: nameField.optional(),
  jobTitle: nameField.optional(),
  phoneNumber: nameField.optional(),
  tShirtSize: nameField.optional(),
  team: nameField.optional(),
  metadata: metadataSchema.optional(),
  mfaBackupCodeAcknowledgement: z.enum(MFA_ACKNOWLEDGEMENTS).nullable().optional(),
  policiesConsent: z.boolean().optional(),
  country: maxChars(255).regex(COUNTRY_PATTERN, { message: 'is not an ISO 3166-1 alpha-2 code (^[A-Z]{2}$)' }).nullable().optional(),
  username: patterned(USERNAME_PATTERN, 'username pattern').nullable().optional(),
  // The API's pattern, then the checksum a BTC wallet in `wallets` gets too: a typo is caught either way.
  btcWallet: walletField(LEGACY_WALLET_PATTERNS.btcWallet, 'BTC address pattern')
    .superRefine((address, ctx) => {
      if (typeof address !== 'string' || !LEGACY_WALLET_PATTERNS.btcWallet.test(address)) return;
      addressFault(ctx, checkWalletAddress('BTC', address), []);
    })
    .optional(),
  kdaWallet: walletField(LEGACY_WALLET_PATTERNS.kdaWallet, 'KDA address pattern').optional(),
  ltcWallet: walletField(LEGACY_WALLET_PATTERNS.ltcWallet, 'LTC address pattern').optional(),
  ckbWallet: walletField(LEGACY_WALLET_PATTERNS.ckbWallet, 'CKB address pattern').optional(),
  kasWallet: walletField(LEGACY_WALLET_PATTERNS.kasWallet, 'KAS address pattern').optional(),
  dogeWallet: walletField(LEGACY_WALLET_PATTERNS.dogeWallet, 'DOGE address pattern').optional(),
  emailNotification: z.boolean().optional(),
  discordNotification: z.boolean().optional(),
  newsletterNotification: z.boolean().optional(),
  emailVerifiedAt: z.iso.datetime({ offset: true, message: 'is not an ISO 8601 date-time' }).optional(),
  email: patterned(EMAIL_PATTERN, 'email pattern').optional(),
  wallets: z.array(walletSchema).optional(),
  oauthAccounts: z.array(oauthAccountSchema).optional(),
});

/**
 * `InternalUserFields`, compiled: zod generates one validator for the whole object (its checks
 * inlined) instead of walking the schema per value, as the mapper checks every user with it.
 * Same schema, same answers: a payload the compiled code refuses is parsed again by the
 * interpreter, so issues and messages are exactly the interpreter's.
 */
export const userPayloadSchema = z.compile(userFieldsSchema);
export type UserPayload = z.infer<typeof userPayloadSchema>;
