import { describe, expect, it } from 'vitest';
import { fingerprintDifferences, type Fingerprint } from '../../../src/checkpoint/index.js';

const saved: Fingerprint = { source: 'users@db:5432/app', mappingHash: 'abcdef0123456789abcdef', environmentId: 'env-1' };

describe('fingerprintDifferences', () => {
  it('is empty for the same fingerprint (dryRun absent equals false)', () => {
    expect(fingerprintDifferences(saved, { ...saved })).toEqual([]);
    expect(fingerprintDifferences(saved, { ...saved, dryRun: false })).toEqual([]);
  });

  it('names every difference with both values, hashes shortened', () => {
    expect(
      fingerprintDifferences(saved, {
        source: 'accounts@db:5432/app',
        mappingHash: 'fedcba9876543210fedcba',
        environmentId: null,
        dryRun: true,
      }),
    ).toEqual([
      'source changed (users@db:5432/app → accounts@db:5432/app)',
      'mapping changed (hash abcdef012345 → fedcba987654)',
      'environment changed (env-1 → (none))',
      'mode changed (real run → dry run)',
    ]);
  });
});
