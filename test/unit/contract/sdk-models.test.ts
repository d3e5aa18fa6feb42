// Each model from its own file: the package's root declarations re-export their siblings without
// file extensions, which our NodeNext resolution cannot follow (microsoft/TypeScript#62490), so
// the root module has no types; one model's file keeps its own fields, modifiers and enums.
import { BulkUserCreateResponseToJSON } from '@dynamic-labs/sdk-api/models/BulkUserCreateResponse';
import { BulkUserCreateResponseFailedToJSON } from '@dynamic-labs/sdk-api/models/BulkUserCreateResponseFailed';
import { ChainEnum } from '@dynamic-labs/sdk-api/models/ChainEnum';
import { CreateUserOauthRequestToJSON, type CreateUserOauthRequest } from '@dynamic-labs/sdk-api/models/CreateUserOauthRequest';
import { CreateWalletRequestToJSON, type CreateWalletRequest } from '@dynamic-labs/sdk-api/models/CreateWalletRequest';
import { InternalUserFieldsToJSON, type InternalUserFields } from '@dynamic-labs/sdk-api/models/InternalUserFields';
import { JwtVerifiedCredentialToJSON } from '@dynamic-labs/sdk-api/models/JwtVerifiedCredential';
import { MfaBackupCodeAcknowledgement } from '@dynamic-labs/sdk-api/models/MfaBackupCodeAcknowledgement';
import { OAuthAccountToJSON } from '@dynamic-labs/sdk-api/models/OAuthAccount';
import { ProviderEnum } from '@dynamic-labs/sdk-api/models/ProviderEnum';
import { UnprocessableEntityErrorCode } from '@dynamic-labs/sdk-api/models/UnprocessableEntityErrorCode';
import { UserToJSON } from '@dynamic-labs/sdk-api/models/User';
import { UserFilterableFieldsEnum } from '@dynamic-labs/sdk-api/models/UserFilterableFieldsEnum';
import { UsersResponseToJSON } from '@dynamic-labs/sdk-api/models/UsersResponse';
import { WalletToJSON } from '@dynamic-labs/sdk-api/models/Wallet';
import { WalletAdditionalAddressToJSON, type WalletAdditionalAddress } from '@dynamic-labs/sdk-api/models/WalletAdditionalAddress';
import { WalletAddressType } from '@dynamic-labs/sdk-api/models/WalletAddressType';
import { WalletProviderEnum } from '@dynamic-labs/sdk-api/models/WalletProviderEnum';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  ADDITIONAL_ADDRESS_TYPES,
  additionalWalletAddressSchema,
  bulkResponseSchema,
  dynamicUserSchema,
  FAILURE_CODES,
  failedUserSchema,
  IDENTITY_CLASH_CODES,
  listUsersResponseSchema,
  MFA_ACKNOWLEDGEMENTS,
  OAUTH_PROVIDERS,
  oauthAccountSchema,
  userPayloadSchema,
  WALLET_CHAINS,
  WALLET_PROVIDERS,
  walletSchema,
} from '../../../src/contract/index.js';
import { FILTER_COLUMNS } from '../../../src/emulator/user-filter.js';
import { UserStore } from '../../../src/emulator/user-store.js';

// The contract checked against Dynamic's own generated client, `@dynamic-labs/sdk-api`: where
// they differ the SDK wins (see src/contract/CONTRACT-NOTES.md). Bumping the SDK re-runs this.

const sorted = (values: Iterable<string>) => [...values].sort();

/** The JSON keys a generated model writes: its `ToJSON` names every one, even when undefined. */
const wireKeys = (toJson: (value: never) => unknown) => sorted(Object.keys(toJson({} as never) as object));

describe('enums match the SDK', () => {
  it.each([
    ['WALLET_CHAINS', WALLET_CHAINS, ChainEnum],
    ['WALLET_PROVIDERS', WALLET_PROVIDERS, WalletProviderEnum],
    ['ADDITIONAL_ADDRESS_TYPES', ADDITIONAL_ADDRESS_TYPES, WalletAddressType],
    ['OAUTH_PROVIDERS', OAUTH_PROVIDERS, ProviderEnum],
    ['MFA_ACKNOWLEDGEMENTS', MFA_ACKNOWLEDGEMENTS, MfaBackupCodeAcknowledgement],
    ['the emulator filter columns', FILTER_COLUMNS, UserFilterableFieldsEnum],
  ] as const)('%s', (_name, ours, sdk) => {
    expect(sorted(ours)).toEqual(sorted(Object.values(sdk)));
  });

  it('every failure code we produce or understand is one of the SDK error codes', () => {
    const sdkCodes = new Set<string>(Object.values(UnprocessableEntityErrorCode));
    const ours = [...Object.values(FAILURE_CODES), ...IDENTITY_CLASH_CODES];
    expect(ours.filter((code) => !sdkCodes.has(code))).toEqual([]);
  });
});

describe('request field names match the SDK models', () => {
  it.each([
    ['InternalUserFields', userPayloadSchema.shape, InternalUserFieldsToJSON],
    ['CreateWalletRequest', walletSchema.shape, CreateWalletRequestToJSON],
    ['WalletAdditionalAddress', additionalWalletAddressSchema.shape, WalletAdditionalAddressToJSON],
    ['CreateUserOauthRequest', oauthAccountSchema.shape, CreateUserOauthRequestToJSON],
  ] as const)('%s', (_name, shape, toJson) => {
    expect(sorted(Object.keys(shape))).toEqual(wireKeys(toJson));
  });

  it('the same fields are required (checked by tsc)', () => {
    // The SDK's TS types: keys and `?` hold, but a field typed by another model file reads as
    // `any` here (see the imports), so nullability cannot be compared this way.
    type Required<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
    type User = z.input<typeof userPayloadSchema>;
    type Wallet = z.input<typeof walletSchema>;
    type Address = z.input<typeof additionalWalletAddressSchema>;
    type Oauth = z.input<typeof oauthAccountSchema>;
    expectTypeOf<keyof User>().toEqualTypeOf<keyof InternalUserFields>();
    expectTypeOf<Required<User>>().toEqualTypeOf<Required<InternalUserFields>>();
    expectTypeOf<keyof Wallet>().toEqualTypeOf<keyof CreateWalletRequest>();
    expectTypeOf<Required<Wallet>>().toEqualTypeOf<Required<CreateWalletRequest>>();
    expectTypeOf<Required<Address>>().toEqualTypeOf<Required<WalletAdditionalAddress>>();
    expectTypeOf<keyof Oauth>().toEqualTypeOf<keyof CreateUserOauthRequest>();
    expectTypeOf<Required<Oauth>>().toEqualTypeOf<Required<CreateUserOauthRequest>>();
  });
});

describe('response field names match the SDK models', () => {
  it('BulkUserCreateResponse, its failed entries and UsersResponse have exactly our fields', () => {
    expect(sorted(Object.keys(bulkResponseSchema.shape))).toEqual(wireKeys(BulkUserCreateResponseToJSON));
    expect(sorted(Object.keys(failedUserSchema.shape))).toEqual(wireKeys(BulkUserCreateResponseFailedToJSON));
    expect(sorted(Object.keys(listUsersResponseSchema.shape))).toEqual(wireKeys(UsersResponseToJSON));
  });

  it('the User fields we read are fields of the SDK User', () => {
    const userKeys = new Set(wireKeys(UserToJSON));
    expect(Object.keys(dynamicUserSchema.shape).filter((key) => !userKeys.has(key))).toEqual([]);
  });

  it('the emulator writes users, their wallets, accounts and credentials, created or failed, under SDK field names only', () => {
    const store = new UserStore({ now: () => Date.UTC(2024, 0, 2), newId: (() => { let n = 0; return () => `id-${++n}`; })() });
    const user = {
      email: 'ann@x.io', emailVerifiedAt: '2024-01-02T03:04:05Z', firstName: 'Ann', username: 'ann_1', country: 'DE',
      metadata: { legacyId: '1' }, policiesConsent: true, mfaBackupCodeAcknowledgement: null, btcWallet: null,
      wallets: [{
        publicWalletAddress: '0xabc', chain: 'EVM' as const, walletName: 'MetaMask', walletProvider: 'browserExtension' as const,
        additionalWalletAddresses: [{ address: 'bc1q', type: 'ordinals' as const, publicKey: 'pk' }],
      }],
      oauthAccounts: [{ provider: 'github' as const, accountId: '7', username: 'ann', displayName: 'Ann', emails: ['ann@x.io'], photos: ['p'] }],
    };
    const created = store.bulk('env', [user], { upsert: false }).created;
    const failed = store.bulk('env', [user], { upsert: false }).failed;
    const updated = store.bulk('env', [user], { upsert: true }).updated;
    expect([created.length, failed.length, updated.length]).toEqual([1, 1, 1]);

    const unknown = (objects: unknown[], toJson: (value: never) => unknown) => {
      const known = new Set(wireKeys(toJson));
      return sorted(new Set(objects.flatMap((o) => Object.keys(o as object)).filter((key) => !known.has(key))));
    };
    const users: Record<string, unknown>[] = [...created, ...updated, ...failed.map((f) => f.user)];
    const nested = (field: string) => users.flatMap((u) => (u[field] as unknown[] | undefined) ?? []);
    expect(unknown(users, UserToJSON)).toEqual([]);
    expect(unknown(nested('wallets'), WalletToJSON)).toEqual([]);
    expect(unknown(nested('oauthAccounts'), OAuthAccountToJSON)).toEqual([]);
    expect(unknown(nested('verifiedCredentials'), JwtVerifiedCredentialToJSON)).toEqual([]);
    expect(nested('verifiedCredentials').map((c) => (c as { format: string }).format)).toEqual(['blockchain', 'email', 'oauth', 'blockchain', 'email', 'oauth']);
    // What the loader matches a refused user back by survives the renaming.
    expect(failed[0]?.user).toMatchObject({ email: 'ann@x.io', metadata: { legacyId: '1' }, wallets: [{ chain: 'EVM', publicKey: '0xabc' }] });
    expect(failed[0]?.user).not.toHaveProperty('id');
  });
});
