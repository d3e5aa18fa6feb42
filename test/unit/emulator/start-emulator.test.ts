import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { startEmulator } from '../../../src/emulator/index.js';

const ENV = '00000000-0000-4000-8000-000000000001';

describe('startEmulator (in-process)', () => {
  it('serves the bulk endpoint on a free port, adds latency, and closes idempotently', async () => {
    const emu = await startEmulator({ latencyRate: 1, latencyMs: 120, seed: 1 });
    try {
      expect(emu.baseUrl).toBe(`http://127.0.0.1:${emu.port}/api/v0`);
      const started = Date.now();
      const res = await fetch(`${emu.baseUrl}/environments/${ENV}/users/bulk?upsert=true`, {
        method: 'POST',
        headers: { authorization: 'Bearer dyn_emulator_token' },
        body: JSON.stringify([{ email: 'a@x.io' }]),
      });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      expect(emu.stats()).toMatchObject({ requests: 1, bulkRequests: 1, usersStored: 1 });
    } finally {
      await Promise.all([emu.close(), emu.close()]);
    }
  });

  it('rejects options out of range with a ConfigError', async () => {
    await expect(startEmulator({ dropRate: 1.5 })).rejects.toThrow(ConfigError);
    await expect(startEmulator({ environmentIds: ['ENV'] })).rejects.toThrow(/not a lower-case UUID/);
  });
});
