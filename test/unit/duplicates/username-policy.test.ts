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

// Long nicknames slugged to the same 20 characters; `alice_2` is someone's own username, never a rename.
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
  it('suffix: later users get name_<tag> within 20 characters, unlike every username of the source; each rename is reported', async () => {
    const { plan, results } = await run(ROWS, { usernames: 'suffix' });
    const names = [...results.values()].map((r) => payloadOf(r)?.username);
    expect([names[0], names[2], names[4]]).toEqual(['alice', 'alice_2', LONG]);
    expect(names[1]).toMatch(/^ALICE_[0-9a-z]{4}$/);
    expect(names[3]).toMatch(/^Alice_[0-9a-z]{4}$/);
    expect(names[5]).toMatch(/^the_very_long_n_[0-9a-z]{4}$/);
    const renamed = results.get('2');
    expect(renamed?.ok && renamed.warnings).toEqual([expect.objectContaining({ legacyId: '2', field: 'username', rule: 'renamed', message: expect.stringContaining('legacy id 1') })]);
    const alice = plan.clusters.find((cluster) => cluster.legacyIds.includes('1'));
    expect(alice && describeResolution(plan, alice)).toBe(`kept by 1; renamed: 2 → ${names[1]}, 4 → ${names[3]}`);
    // Everyone is sent, and no two of them share a username (ignoring case).
    const lower = names.map((name) => name?.toLowerCase());
    expect(new Set(lower).size).toBe(ROWS.length);
    for (const name of names) expect([...(name ?? '')].length).toBeLessThanOrEqual(20);
  });

  it('suffix: a rename stays the same from run to run, whoever joins or leaves the cluster around it', async () => {
    const renamesOf = async (rows: SourceRow[]) => {
      const { results } = await run(rows, { usernames: 'suffix' });
      return new Map([...results].map(([id, r]) => [id, payloadOf(r)?.username]));
    };
    const first = await renamesOf(ROWS);
    // A counter would renumber 4 (alice_3 → alice_4) when 7 joins, or when 2 leaves (→ alice_3).
    const joined = await renamesOf([...ROWS, row('7', { email: 'a7@example.com', username: 'alice' }), row('8', { email: 'a8@example.com', username: 'alice_3' })]);
    const left = await renamesOf(ROWS.filter((r) => r.key !== '2'));
    for (const id of ['4', '6']) {
      expect(left.get(id), `user ${id} after 2 left`).toBe(first.get(id));
      expect(joined.get(id), `user ${id} after 7 and 8 joined`).toBe(first.get(id));
    }
    expect(joined.get('2')).toBe(first.get('2'));
    expect(joined.get('7')).toMatch(/^alice_[0-9a-z]{4}$/);
  });

  it('suffix: a tag some user of the source already has (in any case) is drawn again', async () => {
    const { results: plain } = await run(ROWS.slice(0, 2), { usernames: 'suffix' });
    const drawn = payloadOf(plain.get('2'))?.username ?? '';
    expect(drawn).toMatch(/^ALICE_[0-9a-z]{4}$/);
    // Someone else already holds that name, in lower case: 2 gets another tag.
    const { results } = await run([...ROWS.slice(0, 2), row('9', { email: 'a9@example.com', username: drawn.toLowerCase() })], { usernames: 'suffix' });
    const again = payloadOf(results.get('2'))?.username ?? '';
    expect(again).toMatch(/^ALICE_[0-9a-z]{4}$/);
    expect(again.toLowerCase()).not.toBe(drawn.toLowerCase());
    expect(payloadOf(results.get('9'))?.username).toBe(drawn.toLowerCase());
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
    expect([...first.results.values()].map((r) => (r.ok ? (r.payload.username ?? '-') : 'rejected'))).toEqual(['sam', 'rejected', expect.stringMatching(/^Sam_[0-9a-z]{4}$/), expect.stringMatching(/^sam_[0-9a-z]{4}$/)]);
    // 2 is rejected for its email, so 3 is the first still sent and keeps "Sam".
    const second = await run(both, { policy: 'rejectAllButFirst', usernames: 'suffix' });
    expect([...second.results.values()].map((r) => (r.ok ? (r.payload.username ?? '-') : 'rejected'))).toEqual(['-', 'rejected', 'Sam']);
  });

  it('without usernames, username clusters follow the policy as before', async () => {
    const { results } = await run(ROWS.slice(0, 2), { policy: 'rejectAllButFirst' });
    expect(results.get('2')?.ok).toBe(false);
  });
});
