import { z } from 'zod';
import type { OauthAccountPayload, UserPayload, WalletPayload } from '../contract/index.js';

/** The scalar part of a user: every payload field except the linked accounts. */
export type UserProfile = Omit<UserPayload, 'wallets' | 'oauthAccounts'>;

export type StoredWallet = WalletPayload & { id: string };
export type StoredOauthAccount = OauthAccountPayload & { id: string };

/** A user as the emulator keeps it (and writes it to the state file). */
export interface StoredUser {
  id: string;
  projectEnvironmentId: string;
  profile: UserProfile;
  wallets: StoredWallet[];
  oauthAccounts: StoredOauthAccount[];
  /** Id of the email verified credential; stable across updates. */
  emailCredentialId: string;
  createdAt: string;
  updatedAt: string;
}

/** Shape check for users read back from a state file: enough to rebuild the indexes safely. */
export const storedUserSchema = z.object({
  id: z.string().min(1),
  projectEnvironmentId: z.string().min(1),
  profile: z.record(z.string(), z.unknown()),
  wallets: z.array(z.looseObject({ id: z.string(), chain: z.string(), publicWalletAddress: z.string() })),
  oauthAccounts: z.array(z.looseObject({ id: z.string(), provider: z.string(), accountId: z.string() })),
  emailCredentialId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Splits a payload into its profile and its linked accounts. */
export function splitPayload(payload: UserPayload): {
  profile: UserProfile;
  wallets: WalletPayload[];
  oauthAccounts: OauthAccountPayload[];
} {
  const { wallets = [], oauthAccounts = [], ...profile } = payload;
  return { profile, wallets, oauthAccounts };
}
