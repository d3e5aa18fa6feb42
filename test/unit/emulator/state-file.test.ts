import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createStateSaver, loadStateFile, writeStateFile } from '../../../src/emulator/state-file.js';
import { UserStore } from '../../../src/emulator/user-store.js';

const ENV = '00000000-0000-4000-8000-000000000001';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('round-trips the store, indexes included, with mode 0600 and no temp files left', async () => {
    const path = join(dir, 'state.json');
    const store = new UserStore();
    store.bulk(ENV, [{ email: 'a@x.io', username: 'ann', wallets: [{ publicWalletAddress: '0xA', chain: 'ETH', walletName: 'mm', walletProvider: 'browserExtension' }] }], { upsert: false });
    await writeStateFile(path, store.content());

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
    const restored = new UserStore({}, await loadStateFile(path));
    expect(restored.list(ENV, { offset: 0, limit: 10 })).toEqual(store.list(ENV, { offset: 0, limit: 10 }));
    // Indexes are rebuilt: the email and the wallet still clash.
    const again = restored.bulk(ENV, [{ email: 'A@x.io' }, { wallets: [{ publicWalletAddress: '0xa', chain: 'EVM', walletName: 'mm', walletProvider: 'browserExtension' }] }], { upsert: false });
    expect(again.failed.map((f) => f.code)).toEqual(['email_already_exists', 'wallet_account_exists_for_chain']);
  });

  it('treats a missing file as a fresh start', async () => {
    expect(await loadStateFile(join(dir, 'missing.json'))).toBeUndefined();
  });

  it('refuses a corrupt file with a clear error instead of starting empty', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"version":1,"environments":{"x":[{"id":1}]');
    await expect(loadStateFile(path)).rejects.toThrow(ConfigError);
    await expect(loadStateFile(path)).rejects.toThrow(/corrupt \(not JSON\)/);
    await writeFile(path, JSON.stringify({ version: 1, environments: { x: [{ id: 1 }] } }));
    await expect(loadStateFile(path)).rejects.toThrow(/is corrupt \(environments\.x\.0\.id/);
  });

  it('coalesces concurrent saves and persists the last change', async () => {
    const path = join(dir, 'state.json');
    const store = new UserStore();
    const save = createStateSaver(path, () => store.content());
    const saves = [];
    for (let i = 0; i < 20; i++) {
      store.bulk(ENV, [{ email: `u${i}@x.io` }], { upsert: false });
      saves.push(save());
    }
    await Promise.all(saves);
    expect(new UserStore({}, await loadStateFile(path)).size).toBe(20);
  });
});
