import type { UserPayload } from '../contract/index.js';
import type { StoredUser } from './stored-user.js';

/** A user as the API returns it: the reference's `User`, limited to what the emulator knows. */
export type ApiUser = Record<string, unknown> & { id: string };

/**
 * Renders a stored user the way Dynamic's API does. Credentials reuse the id of the wallet or
 * OAuth account they stand for, so they stay stable across reads.
 */
export function toApiUser(user: StoredUser, newUser: boolean): ApiUser {
  const { emailVerifiedAt, email, username, metadata, ...fields } = user.profile;
  return {
    id: user.id,
    projectEnvironmentId: user.projectEnvironmentId,
    ...fields,
    email: email ?? null,
    username: username ?? null,
    metadata: metadata ?? {},
    wallets: user.wallets.map((w) => ({
      id: w.id,
      name: w.walletName,
      chain: w.chain,
      publicKey: w.publicWalletAddress,
      provider: w.walletProvider,
    })),
    oauthAccounts: user.oauthAccounts.map((a) => ({
      id: a.id,
      provider: a.provider,
      accountUsername: a.username ?? a.displayName ?? null,
    })),
    verifiedCredentials: credentialsOf(user, email, emailVerifiedAt),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    newUser,
  };
}

/**
 * A refused user as `failed[].user`: the submitted fields under the `User` model's names (the
 * SDK's `BulkUserCreateResponseFailed.user` is a `User`, so a wallet is `{ name, chain,
 * publicKey, provider }`, not the request's `publicWalletAddress`...). No `id`: no Dynamic user
 * was made, and the loader must not take one for its own. `emailVerifiedAt` is no `User` field.
 */
export function toFailedUser(payload: UserPayload): Record<string, unknown> {
  const { emailVerifiedAt: _verified, wallets, oauthAccounts, ...fields } = payload;
  return {
    ...fields,
    ...(wallets && {
      wallets: wallets.map((w) => ({ name: w.walletName, chain: w.chain, publicKey: w.publicWalletAddress, provider: w.walletProvider })),
    }),
    ...(oauthAccounts && {
      oauthAccounts: oauthAccounts.map((a) => ({ provider: a.provider, accountUsername: a.username ?? a.displayName ?? null })),
    }),
  };
}

function credentialsOf(user: StoredUser, email: string | undefined, emailVerifiedAt: string | undefined) {
  const credentials: Record<string, unknown>[] = user.wallets.map((w) => ({
    id: w.id,
    format: 'blockchain',
    address: w.publicWalletAddress,
    chain: w.chain,
    wallet_name: w.walletName,
    wallet_provider: w.walletProvider,
    wallet_additional_addresses: w.additionalWalletAddresses ?? [],
    signInEnabled: true,
  }));
  if (email) {
    credentials.push({
      id: user.emailCredentialId,
      format: 'email',
      email,
      // Only a verified email lets the user sign in with it (see `emailVerifiedAt` in the contract).
      signInEnabled: emailVerifiedAt !== undefined,
      verifiedAt: emailVerifiedAt ?? null,
    });
  }
  for (const a of user.oauthAccounts) {
    credentials.push({
      id: a.id,
      format: 'oauth',
      oauth_provider: a.provider,
      oauth_account_id: a.accountId,
      oauth_username: a.username ?? null,
      oauth_display_name: a.displayName ?? null,
      oauth_emails: a.emails ?? [],
      oauth_account_photos: a.photos ?? [],
      signInEnabled: true,
    });
  }
  return credentials;
}
