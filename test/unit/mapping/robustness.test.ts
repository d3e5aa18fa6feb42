import { describe, expect, it } from 'vitest';
import { userPayloadSchema } from '../../../src/contract/index.js';
import { compileMapping, loadMappingFile } from '../../../src/mapping/index.js';
import type { MapResult, SourceRow } from '../../../src/mapping/index.js';

const { spec } = await loadMappingFile('mappings/example.ts');
const map = compileMapping(spec);

const COLUMNS = ['email', 'username', 'first_name', 'last_name', 'country', 'phone', 'job_title', 'email_verified_at', 'marketing_opt_in', 'plan', 'eth_address', 'created_at'];
const WALLET_COLUMNS = ['chain', 'address', 'wallet_name', 'provider'];
const IDENTITY_COLUMNS = ['provider', 'provider_uid', 'email', 'display_name', 'username', 'avatar_url'];

const WEIRD: unknown[] = [
  null, undefined, '', ' ', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2n ** 70n, true, false,
  new Date('not a date'), new Date(0), [], [null], ['a', 1], {}, { nested: { deeper: [1, { x: null }] } },
  Buffer.from('bytes'), new Map([[1, 2]]), () => 'fn', Symbol('s'), 'constructor', '__proto__', 'x'.repeat(10_000), '🚀', '\u0000',
];

/** A tiny deterministic generator, so a failure reproduces. */
function* rows(count: number): Generator<SourceRow> {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  const pick = () => WEIRD[next() % WEIRD.length];
  const record = (columns: string[]) => Object.fromEntries(columns.filter(() => next() % 10 !== 0).map((column) => [column, pick()]));
  for (let i = 0; i < count; i += 1) {
    yield {
      key: String(i),
      row: record(COLUMNS),
      children: { wallets: [record(WALLET_COLUMNS), record(WALLET_COLUMNS)], identities: [record(IDENTITY_COLUMNS)] },
    };
  }
}

function expectWellFormed(result: MapResult): void {
  expect(typeof result.legacyId).toBe('string');
  if (result.ok) {
    expect(userPayloadSchema.safeParse(result.payload).success).toBe(true);
    return;
  }
  expect(result.rejections.length).toBeGreaterThan(0);
  for (const rejection of result.rejections) {
    expect(rejection).toEqual({
      legacyId: result.legacyId,
      field: expect.any(String) as string,
      rule: expect.any(String) as string,
      message: expect.any(String) as string,
      ...(rejection.value === undefined ? {} : { value: expect.any(String) as string }),
    });
    expect(rejection.value?.length ?? 0).toBeLessThan(60);
  }
}

describe('the compiled mapper on weird input', () => {
  it('never throws, and always answers a valid payload or rejections', () => {
    for (const row of rows(500)) expectWellFormed(map(row));
  });

  it('survives NULL in every column and empty children', () => {
    const nulls = Object.fromEntries(COLUMNS.map((column) => [column, null]));
    // Nothing is left to sign in with: the one rejection says so, and no column's NULL is a problem of its own.
    expect(map({ key: '1', row: nulls, children: { wallets: [], identities: [] } })).toEqual({
      ok: false,
      legacyId: '1',
      rejections: [{ legacyId: '1', field: '(user)', rule: 'no_sign_in_method', message: expect.any(String) as string }],
    });
    // With an email to sign in with, every other NULL is simply left out.
    expect(map({ key: '1', row: { ...nulls, email: 'ann@example.com' }, children: { wallets: [], identities: [] } })).toEqual({
      ok: true,
      legacyId: '1',
      payload: { email: 'ann@example.com', metadata: { legacyId: '1' } },
    });
  });

  it('survives a malformed source row itself', () => {
    const malformed = [
      { key: 7, row: null, children: null },
      { key: '8', row: 'text', children: { wallets: 'nope', identities: [null, 3, 'x'] } },
      { key: '9', row: [], children: { wallets: [[]] } },
    ] as unknown as SourceRow[];
    for (const row of malformed) expectWellFormed(map(row));
    expect(map(malformed[0] as SourceRow).legacyId).toBe('7');
  });

  it('turns an unexpected exception into an internal rejection', () => {
    const row: Record<string, unknown> = {};
    Object.defineProperty(row, 'email', { enumerable: true, get: () => { throw new Error('driver exploded'); } });
    const result = map({ key: '3', row, children: {} });
    expect(result).toEqual({ ok: false, legacyId: '3', rejections: [{ legacyId: '3', field: '(row)', rule: 'internal', message: 'the mapper failed: Error: driver exploded' }] });
  });
});
