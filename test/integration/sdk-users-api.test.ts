import * as sdkRoot from '@dynamic-labs/sdk-api';
import type { UsersApi } from '@dynamic-labs/sdk-api/apis/UsersApi';
import type { BulkUserCreateResponseFailed } from '@dynamic-labs/sdk-api/models/BulkUserCreateResponseFailed';
import { ChainEnum } from '@dynamic-labs/sdk-api/models/ChainEnum';
import type { JwtVerifiedCredential } from '@dynamic-labs/sdk-api/models/JwtVerifiedCredential';
import { ProviderEnum } from '@dynamic-labs/sdk-api/models/ProviderEnum';
import type { User } from '@dynamic-labs/sdk-api/models/User';
import { UserFilterableFieldsEnum } from '@dynamic-labs/sdk-api/models/UserFilterableFieldsEnum';
import { WalletProviderEnum } from '@dynamic-labs/sdk-api/models/WalletProviderEnum';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

// Dynamic's own generated client, `@dynamic-labs/sdk-api`, against the emulator over HTTP: what
// the SDK sends (paths, `upsert`, `filter[filterColumn]`, the bearer token) the emulator must
// take, and what it answers the SDK's models must read.

// The package's root declarations do not resolve under NodeNext (see
// test/unit/contract/sdk-models.test.ts); its JavaScript does. The two classes used are named
// here, and the answers' nested models are typed where they are read.
const sdk = sdkRoot as unknown as {
  Configuration: new (parameters: { basePath: string; accessToken: string }) => object;
  UsersApi: new (configuration: object) => UsersApi;
};

const ENV = '5d7e9f10-2a3b-4c4d-8e5f-6a7b8c9d0e1f';
const TOKEN = 'dyn_sdk_test_token';

let emulator: RunningEmulator;
let api: UsersApi;

beforeAll(async () => {
  emulator = await startEmulator({ token: TOKEN, environmentIds: [ENV] });
  api = new sdk.UsersApi(new sdk.Configuration({ basePath: emulator.baseUrl, accessToken: TOKEN }));
});
afterAll(() => emulator?.close());

const ann = {
  email: 'ann@example.com',
  firstName: 'Ann',
  metadata: { legacyId: '1' },
  emailVerifiedAt: new Date('2024-01-02T03:04:05Z'),
  wallets: [{ publicWalletAddress: '0xabc0000000000000000000000000000000000001', chain: ChainEnum.Evm, walletName: 'MetaMask', walletProvider: WalletProviderEnum.BrowserExtension }],
  oauthAccounts: [{ provider: ProviderEnum.Github, accountId: '7001', username: 'ann-gh' }],
};
const bob = { email: 'bob@example.com', username: 'bob_1', metadata: { legacyId: '2' } };

/** The SDK throws the raw `Response` for a non-2xx answer. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof Response) return error.status;
    throw error;
  }
}

describe("the SDK's UsersApi against the emulator", () => {
  let annId: string;

  it('bulkCreateUser without upsert creates users the SDK reads back as its User model', async () => {
    const out = await api.bulkCreateUser({ environmentId: ENV, internalUserFields: [ann, bob] });
    expect(out.total).toBe(2);
    expect(out.failed).toEqual([]);
    expect(out.updated).toEqual([]);
    expect(out.created?.map((u: User) => u.email)).toEqual(['ann@example.com', 'bob@example.com']);
    const created = out.created?.[0];
    annId = created?.id ?? '';
    expect(annId).toMatch(/^[0-9a-f-]{36}$/);
    // Fields the SDK maps from the wire names: a wrong name would come out undefined here.
    expect(created?.createdAt).toBeInstanceOf(Date);
    expect(created?.newUser).toBe(true);
    expect(created?.wallets?.[0]).toMatchObject({ chain: 'EVM', publicKey: ann.wallets[0]?.publicWalletAddress, name: 'MetaMask', provider: 'browserExtension' });
    expect(created?.oauthAccounts?.[0]).toMatchObject({ provider: 'github', accountUsername: 'ann-gh' });
    const credentials = created?.verifiedCredentials ?? [];
    expect(credentials.find((c: JwtVerifiedCredential) => c.format === 'oauth')).toMatchObject({ oauthProvider: 'github', oauthAccountId: '7001', oauthUsername: 'ann-gh' });
    expect(credentials.find((c: JwtVerifiedCredential) => c.format === 'blockchain')).toMatchObject({ walletName: 'MetaMask', walletProvider: 'browserExtension' });
    expect(credentials.find((c: JwtVerifiedCredential) => c.format === 'email')?.verifiedAt).toEqual(ann.emailVerifiedAt);
  });

  it('without upsert a second send fails per user; with upsert it updates the same user', async () => {
    const again = await api.bulkCreateUser({ environmentId: ENV, internalUserFields: [{ ...bob, firstName: 'Bob' }], upsert: false });
    expect(again.created).toEqual([]);
    expect(again.failed?.map((f: BulkUserCreateResponseFailed) => f.code)).toEqual(['email_already_exists']);
    expect(again.failed?.[0]?.user).toMatchObject({ email: 'bob@example.com', metadata: { legacyId: '2' } });

    const upserted = await api.bulkCreateUser({
      environmentId: ENV,
      internalUserFields: [{ email: 'ann@example.com', firstName: 'Annie', metadata: { legacyId: '1' } }, { email: 'cy@example.com' }],
      upsert: true,
    });
    expect(upserted.updated?.map((u: User) => [u.id, u.firstName, u.newUser])).toEqual([[annId, 'Annie', false]]);
    expect(upserted.created?.map((u: User) => u.email)).toEqual(['cy@example.com']);
    expect(upserted.total).toBe(2);
  });

  it('getEnvironmentUsers finds a user by a filter column, pages, and getUser reads one', async () => {
    const byEmail = await api.getEnvironmentUsers({
      environmentId: ENV,
      filter: { filterColumn: UserFilterableFieldsEnum.Email, filterValue: 'Ann@Example.com' },
    });
    expect(byEmail.count).toBe(1);
    expect(byEmail.users?.map((u: User) => u.id)).toEqual([annId]);

    const byWallet = await api.getEnvironmentUsers({
      environmentId: ENV,
      filter: { filterColumn: UserFilterableFieldsEnum.WalletPublicKey, filterValue: ann.wallets[0]?.publicWalletAddress ?? '' },
    });
    expect(byWallet.users?.map((u: User) => u.email)).toEqual(['ann@example.com']);

    const page = await api.getEnvironmentUsers({ environmentId: ENV, offset: 1, limit: 1 });
    expect(page.count).toBe(3);
    expect(page.users?.map((u: User) => u.email)).toEqual(['bob@example.com']);

    const one = await api.getUser({ environmentId: ENV, userId: annId });
    expect(one.user).toMatchObject({ id: annId, email: 'ann@example.com', firstName: 'Annie' });
  });

  it('deleteUser removes the user: listing no longer finds it, a second delete is a 404', async () => {
    await api.deleteUser({ environmentId: ENV, userId: annId });
    const left = await api.getEnvironmentUsers({ environmentId: ENV, filter: { filterColumn: UserFilterableFieldsEnum.Email, filterValue: 'ann@example.com' } });
    expect(left).toEqual({ count: 0, users: [] });
    expect(await statusOf(api.deleteUser({ environmentId: ENV, userId: annId }))).toBe(404);
    expect(await statusOf(api.getUser({ environmentId: ENV, userId: annId }))).toBe(404);
  });

  it("refuses the SDK's calls without the right token (401) or for another environment (403)", async () => {
    const stranger = new sdk.UsersApi(new sdk.Configuration({ basePath: emulator.baseUrl, accessToken: 'dyn_wrong' }));
    expect(await statusOf(stranger.getEnvironmentUsers({ environmentId: ENV }))).toBe(401);
    expect(await statusOf(api.getEnvironmentUsers({ environmentId: '00000000-0000-4000-8000-000000000000' }))).toBe(403);
  });
});
