/** Enumerations of the bulk-create-users contract, as listed in the API reference. */

export const WALLET_CHAINS = [
  'ETH', 'EVM', 'FLOW', 'SOL', 'ALGO', 'STARK', 'COSMOS', 'BTC', 'ECLIPSE', 'SUI', 'SPARK', 'TRON', 'APTOS', 'TON',
] as const;
export type WalletChain = (typeof WALLET_CHAINS)[number];

export const WALLET_PROVIDERS = [
  'browserExtension', 'custodialService', 'walletConnect', 'qrCode', 'deepLink', 'embeddedWallet', 'smartContractWallet',
] as const;
export type WalletProvider = (typeof WALLET_PROVIDERS)[number];

export const ADDITIONAL_ADDRESS_TYPES = ['ordinals', 'payment', 'cosmos', 'evm'] as const;

export const OAUTH_PROVIDERS = [
  'emailOnly', 'magicLink', 'apple', 'bitbucket', 'coinbasesocial', 'discord', 'epicgames', 'facebook', 'farcaster',
  'github', 'gitlab', 'google', 'instagram', 'linkedin', 'microsoft', 'twitch', 'twitter', 'blocto', 'banxa',
  'coinbaseOnramp', 'cryptoDotCom', 'dynamic', 'alchemy', 'zerodev', 'telegram', 'turnkey', 'coinbaseWaas', 'sms',
  'spotify', 'tiktok', 'line', 'steam', 'shopify', 'zksync', 'kraken', 'blockaid', 'passkey', 'okta', 'sendgrid',
  'resend',
] as const;
export type OauthProvider = (typeof OAUTH_PROVIDERS)[number];

export const MFA_ACKNOWLEDGEMENTS = ['pending', 'complete'] as const;

/** `failed[].code` values the emulator produces and the loader understands. */
export const FAILURE_CODES = {
  emailAlreadyExists: 'email_already_exists',
  usernameAlreadyExists: 'username_already_exists',
  duplicateExists: 'duplicate_exists',
  socialAccountAlreadyExists: 'social_account_already_exists',
  walletAccountExistsForChain: 'wallet_account_exists_for_chain',
  embeddedWalletAddressAlreadyLinked: 'embedded_wallet_address_already_linked',
  metadataSizeExceeded: 'metadata_size_exceeded',
  missingPhoneNumberOrEmail: 'missing_phone_number_or_email',
} as const;

/**
 * Codes meaning "an identity of this user (email, phone, username, wallet, OAuth account) is held
 * by a Dynamic user already". Whose that user is, the answer does not say: one this job created
 * in an attempt whose answer was lost, or someone else. The loader looks it up when the user may
 * have landed before; otherwise it is someone else's, a conflict, and never updated.
 */
export const IDENTITY_CLASH_CODES: ReadonlySet<string> = new Set([
  FAILURE_CODES.emailAlreadyExists,
  FAILURE_CODES.duplicateExists,
  FAILURE_CODES.usernameAlreadyExists,
  FAILURE_CODES.socialAccountAlreadyExists,
  FAILURE_CODES.walletAccountExistsForChain,
  FAILURE_CODES.embeddedWalletAddressAlreadyLinked,
  'user_has_already_account_with_email',
  'user_has_already_account_with_phone_number',
]);
