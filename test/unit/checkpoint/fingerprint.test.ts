import { describe, expect, it } from 'vitest';
import { apiOrigin, changesTarget, fingerprintDifferences, type Fingerprint } from '../../../src/checkpoint/index.js';
import { parseFingerprint } from '../../../src/checkpoint/fingerprint.js';

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

describe('the Dynamic API in the fingerprint', () => {
  const rehearsal: Fingerprint = { ...saved, api: 'http://127.0.0.1:4010' };

  it('names a changed API, and counts it as another target, never accepted', () => {
    const production = { ...saved, api: 'https://app.dynamicauth.com' };
    expect(fingerprintDifferences(rehearsal, production)).toEqual(['Dynamic API changed (http://127.0.0.1:4010 → https://app.dynamicauth.com)']);
    expect(changesTarget(rehearsal, production)).toBe(true);
    expect(changesTarget(saved, { ...saved, mappingHash: 'other' })).toBe(false);
  });

  it('matches any API when the checkpoint predates it, and survives a JSON round trip', () => {
    expect(fingerprintDifferences(saved, rehearsal)).toEqual([]);
    expect(parseFingerprint(JSON.stringify(rehearsal))).toEqual(rehearsal);
  });

  it('is the origin: no path, query or credentials', () => {
    expect(apiOrigin('https://user:secret@app.dynamicauth.com/api/v0?x=1')).toBe('https://app.dynamicauth.com');
  });
});
