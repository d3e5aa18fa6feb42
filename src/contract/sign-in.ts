import { present } from './identity-keys.js';
import type { UserPayload } from './user-fields.js';

/**
 * Whether a user has a way to sign in: an email, a phone number, a wallet or an OAuth account.
 * Dynamic refuses one without (`missing_phone_number_or_email`); the mapper rejects it before
 * sending and the emulator refuses it the same way. Empty strings count as none: the API's
 * patterns let them through, and they sign nobody in.
 */
export function hasSignInMethod(payload: Pick<UserPayload, 'email' | 'phoneNumber' | 'wallets' | 'oauthAccounts'>): boolean {
  return present(payload.email) || present(payload.phoneNumber) || (payload.wallets?.length ?? 0) > 0 || (payload.oauthAccounts?.length ?? 0) > 0;
}
