import { describe, expect, it } from 'vitest';
import type { UserPayload } from '../../../src/contract/index.js';
import { applyDuplicatePlan, describeResolution, planDuplicatesFrom } from '../../../src/duplicates/index.js';
import type { DuplicatePolicy } from '../../../src/duplicates/index.js';
import type { MapResult, SourceRow } from '../../../src/mapping/index.js';

// Literal rows: `row.payload` is what the mapper makes of the row.
const row = (key: string, payload: UserPayload): SourceRow => ({ key, row: { payload }, children: {} });
const mapRow = (source: SourceRow): MapResult => ({ ok: true, legacyId: source.key, payload: source.row.payload as UserPayload });

async function run(rows: SourceRow[], policy: DuplicatePolicy) {
  const plan = await planDuplicatesFrom(() => [rows], mapRow, policy, 'users');
  const mapped = applyDuplicatePlan(mapRow, plan);
  return { plan, results: new Map(rows.map((r) => [r.key, mapped(r)])) };
}
const payloadOf = (result: MapResult | undefined) => (result?.ok ? result.payload : undefined);

// Long nicknames slugged to the same 20 characters; `alice_2` is already someone else's username.
const LONG = 'the_very_long_nickna';
const ROWS = [
  row('1', { email: 'a1@example.com', username: 'alice' }),
  row('2', { email: 'a2@example.com', username: 'ALICE' }),
  row('3', { email: 'a3@example.com', username: 'alice_2' }),
  row('4', { email: 'a4@example.com', username: 'Alice' }),
  row('5', { email: 'l5@example.com', username: LONG }),
  row('6', { email: 'l6@example.com', username: LONG }),
];

describe('duplicates.usernames', () => {
  it('suffix: later users get the first free name_<n> within 20 characters, unlike every username of the source; each rename is reported', async () => {
    const { plan, results } = await run(ROWS, { usernames: 'suffix' });
    expect([...results.values()].map((r) => payloadOf(r)?.username)).toEqual(['alice', 'ALICE_3', 'alice_2', 'Alice_4', LONG, 'the_very_long_nick_2']);
    const renamed = results.get('2');
    expect(renamed?.ok && renamed.warnings).toEqual([expect.objectContaining({ legacyId: '2', field: 'username', rule: 'renamed', message: expect.stringContaining('legacy id 1') })]);
    const alice = plan.clusters.find((cluster) => cluster.legacyIds.includes('1'));
    expect(alice && describeResolution(plan, alice)).toBe('kept by 1; renamed: 2 → ALICE_3, 4 → Alice_4');
    // Everyone is sent, and no two of them share a username (ignoring case).
    const names = [...results.values()].map((r) => payloadOf(r)?.username?.toLowerCase());
    expect(new Set(names).size).toBe(ROWS.length);
    for (const name of names) expect([...(name ?? '')].length).toBeLessThanOrEqual(20);
  });

  it('drop: later users are sent without a username, each a dropped value naming who keeps it', async () => {
    const { plan, results } = await run(ROWS, { usernames: 'drop' });
    expect([...results.values()].map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
    const dropped = results.get('4');
    expect(dropped?.ok && dropped.payload).toEqual({ email: 'a4@example.com' });
    expect(dropped?.ok && dropped.dropped).toEqual([expect.objectContaining({ field: 'username', rule: 'duplicate', message: expect.stringContaining('legacy id 1') })]);
    const alice = plan.clusters.find((cluster) => cluster.legacyIds.includes('1'));
    expect(alice && describeResolution(plan, alice)).toBe('kept by 1; sent without a username: 2, 4');
  });

  it('reject: later users are rejected, as the email policies do', async () => {
    const { results } = await run(ROWS, { usernames: 'reject' });
    expect([...results].filter(([, r]) => !r.ok).map(([id]) => id)).toEqual(['2', '4', '6']);
  });

  it('beside an email policy: a user the email policy rejects does not keep the username', async () => {
    const rows = [row('1', { email: 'sam@example.com', username: 'sam' }), row('2', { email: 'SAM@example.com' }), row('3', { email: 'x@example.com', username: 'Sam' }), row('4', { email: 'y@example.com', username: 'sam' })];
    const both = [row('1', { email: 'sam@example.com' }), row('2', { email: 'SAM@example.com', username: 'sam' }), row('3', { email: 'x@example.com', username: 'Sam' })];
    const first = await run(rows, { policy: 'rejectAllButFirst', usernames: 'suffix' });
    expect([...first.results.values()].map((r) => (r.ok ? (r.payload.username ?? '-') : 'rejected'))).toEqual(['sam', 'rejected', 'Sam_2', 'sam_3']);
    // 2 is rejected for its email, so 3 is the first still sent and keeps "Sam".
    const second = await run(both, { policy: 'rejectAllButFirst', usernames: 'suffix' });
    expect([...second.results.values()].map((r) => (r.ok ? (r.payload.username ?? '-') : 'rejected'))).toEqual(['-', 'rejected', 'Sam']);
  });

  it('without usernames, username clusters follow the policy as before', async () => {
    const { results } = await run(ROWS.slice(0, 2), { policy: 'rejectAllButFirst' });
    expect(results.get('2')?.ok).toBe(false);
  });
});
