import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, type Fingerprint } from '../../../src/checkpoint/index.js';
import { adoptFingerprint } from '../../../src/pipeline/job-state.js';
import { useTempDir } from '../checkpoint/temp-store.js';

const OLD: Fingerprint = { source: 'users@db:5432/app', mappingHash: 'abc', environmentId: 'env-1' };
const options = { allowMappingChange: true, warn: () => {} };

describe('adoptFingerprint and the Dynamic API', () => {
  const temp = useTempDir();

  it('records the API in a job from before it was recorded, then refuses another one even with --allow-mapping-change', async () => {
    const store = temp.track(await CheckpointStore.open(join(temp.dir(), 'job.db'), { create: true }));
    await store.startJob('job', OLD);
    await adoptFingerprint(store, 'job', { ...OLD, api: 'http://127.0.0.1:4010' }, options);
    expect((await store.job())?.fingerprint.api).toBe('http://127.0.0.1:4010');
    await expect(adoptFingerprint(store, 'job', { ...OLD, api: 'https://app.dynamicauth.com' }, options))
      .rejects.toThrow(/Dynamic API changed \(http:\/\/127\.0\.0\.1:4010 → https:\/\/app\.dynamicauth\.com\)/);
  });
});
