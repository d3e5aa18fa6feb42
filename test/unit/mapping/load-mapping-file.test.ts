import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, MappingError } from '../../../src/errors.js';
import { compileMapping, loadMappingFile } from '../../../src/mapping/index.js';
import type { SourceRow } from '../../../src/mapping/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mapping-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** A demo-schema user touching every part of the example mapping. */
const demoUser: SourceRow = {
  key: '17',
  row: {
    id: '17', email: ' Emma.Smith17@Example.com ', username: 'emmas_17', first_name: 'Emma', last_name: 'Smith', country: 'de',
    phone: '+49 151-555-0123', job_title: 'Engineer', email_verified_at: new Date('2021-03-04T05:06:07Z'), marketing_opt_in: true,
    plan: 'pro', eth_address: '0x52908400098527886E0F7030069857D2E4169EE7', created_at: new Date('2021-03-01T00:00:00Z'),
    updated_at: new Date('2021-03-02T00:00:00Z'), deleted_at: null,
  },
  children: {
    wallets: [{ id: '1', user_id: '17', chain: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV', wallet_name: 'Phantom', provider: 'phantom' }],
    identities: [{ id: '2', user_id: '17', provider: 'google_oauth2', provider_uid: '1098765432109876543210', email: 'emma.smith17@example.com', display_name: 'Emma Smith', username: null, avatar_url: 'https://lh3.googleusercontent.com/a/abc' }],
  },
};

describe('loadMappingFile', () => {
  it('loads example.ts and example.json to the same spec and hash', async () => {
    const ts = await loadMappingFile('mappings/example.ts');
    const json = await loadMappingFile('mappings/example.json');
    expect(ts.file).toBe(resolve('mappings/example.ts'));
    expect(json.spec).toEqual(ts.spec);
    expect(json.hash).toBe(ts.hash);
    expect(ts.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps a demo user with the example mapping as the design says', async () => {
    const { spec } = await loadMappingFile('mappings/example.ts');
    expect(spec.source.filter).toEqual({ sql: 'deleted_at is null' });
    expect(compileMapping(spec)(demoUser)).toEqual({
      ok: true,
      legacyId: '17',
      payload: {
        email: 'emma.smith17@example.com',
        username: 'emmas_17',
        firstName: 'Emma',
        lastName: 'Smith',
        jobTitle: 'Engineer',
        phoneNumber: '+49 151-555-0123',
        country: 'DE',
        emailVerifiedAt: '2021-03-04T05:06:07.000Z',
        newsletterNotification: true,
        metadata: { legacyId: '17', plan: 'pro', createdAt: '2021-03-01T00:00:00.000Z' },
        wallets: [
          { publicWalletAddress: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV', chain: 'SOL', walletName: 'Phantom', walletProvider: 'browserExtension' },
          { publicWalletAddress: '0x52908400098527886E0F7030069857D2E4169EE7', chain: 'ETH', walletName: 'MetaMask', walletProvider: 'browserExtension' },
        ],
        oauthAccounts: [
          { provider: 'google', accountId: '1098765432109876543210', emails: ['emma.smith17@example.com'], displayName: 'Emma Smith', photos: ['https://lh3.googleusercontent.com/a/abc'] },
        ],
      },
    });
  });

  it('rejects a demo user holding a dogecoin wallet', async () => {
    const { spec } = await loadMappingFile('mappings/example.json');
    const doge = { chain: 'dogecoin', address: 'DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L', wallet_name: 'WalletConnect', provider: 'walletconnect' };
    const result = compileMapping(spec)({ ...demoUser, children: { ...demoUser.children, wallets: [doge] } });
    expect(!result.ok && result.rejections.map((r) => [r.legacyId, r.field, r.rule])).toEqual([['17', 'wallets[0].chain', 'value_map']]);
  });

  it('hashes a change of the mapping differently, and a reordering alike', async () => {
    const a = await write('a.json', JSON.stringify({ source: { table: 'users', primaryKey: 'id' }, fields: { email: 'email', username: 'login' } }));
    const b = await write('b.json', JSON.stringify({ fields: { username: { column: 'login' }, email: 'email' }, source: { primaryKey: 'id', table: 'users' }, legacyIdKey: 'legacyId' }));
    const c = await write('c.json', JSON.stringify({ source: { table: 'users', primaryKey: 'id' }, fields: { email: 'email', username: 'nick' } }));
    const [ha, hb, hc] = await Promise.all([a, b, c].map(async (file) => (await loadMappingFile(file)).hash));
    expect(ha).toBe(hb);
    expect(ha).not.toBe(hc);
  });

  it('names the file and path of a problem in a JSON mapping', async () => {
    const file = await write('typo.json', JSON.stringify({ source: { table: 'users', primaryKey: 'id' }, fields: { email: { column: 'email', transforms: ['trim', 'lwr'] } } }));
    const error = await loadMappingFile(file).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(MappingError);
    expect((error as MappingError).message).toContain(`${file}: fields.email.transforms[1]: unknown transform "lwr"`);
  });

  it('reports broken JSON as a MappingError naming the file', async () => {
    const file = await write('broken.json', '{ "source": ');
    await expect(loadMappingFile(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not valid JSON`));
  });

  it('reports a module that fails to load, or has no default export', async () => {
    const broken = await write('broken.mjs', 'export default {{{;');
    await expect(loadMappingFile(broken)).rejects.toBeInstanceOf(MappingError);
    const noDefault = await write('named.mjs', 'export const mapping = {};');
    await expect(loadMappingFile(noDefault)).rejects.toThrow(/has no default export/);
  });

  it('loads a plain JavaScript module', async () => {
    const file = await write('plain.mjs', "export default { source: { table: 'users', primaryKey: 'id' }, fields: { email: 'email' } };");
    expect((await loadMappingFile(file)).spec.fields).toEqual({ email: { column: 'email' } });
  });

  it('reports a missing file or an unknown kind as a ConfigError', async () => {
    await expect(loadMappingFile(join(dir, 'nope.ts'))).rejects.toBeInstanceOf(ConfigError);
    await expect(loadMappingFile(join(dir, 'nope.ts'))).rejects.toThrow(/mapping file not found/);
    await expect(loadMappingFile(await write('m.yaml', 'source: {}'))).rejects.toBeInstanceOf(ConfigError);
  });
});
