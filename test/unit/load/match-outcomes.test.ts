import { describe, expect, it } from 'vitest';
import type { BulkResponse, UserPayload } from '../../../src/contract/index.js';
import { matchOutcomes, type UnmatchedOutcome } from '../../../src/load/index.js';

const KEY = 'legacyId';

function sentUser(legacyId: string, email?: string): { legacyId: string; payload: UserPayload } {
  return { legacyId, payload: { ...(email ? { email } : {}), metadata: { [KEY]: legacyId } } };
}

function response(parts: Partial<BulkResponse>): BulkResponse {
  const created = parts.created ?? [];
  const updated = parts.updated ?? [];
  const failed = parts.failed ?? [];
  return { created, updated, failed, total: created.length + updated.length + failed.length };
}

describe('matchOutcomes', () => {
  it('matches by metadata legacy id, whatever order and list the server answers in', () => {
    const sent = [sentUser('1', 'a@x.io'), sentUser('2', 'b@x.io'), sentUser('3', 'c@x.io')];
    const outcomes = matchOutcomes(sent, response({
      updated: [{ id: 'dyn-3', email: 'c@x.io', metadata: { legacyId: '3' } }],
      created: [
        { id: 'dyn-2', email: 'b@x.io', metadata: { legacyId: '2' } },
        { id: 'dyn-1', email: 'a@x.io', metadata: { legacyId: '1' } },
      ],
    }), KEY);
    expect(outcomes).toEqual([
      { legacyId: '1', outcome: 'created', dynamicUserId: 'dyn-1' },
      { legacyId: '2', outcome: 'created', dynamicUserId: 'dyn-2' },
      { legacyId: '3', outcome: 'updated', dynamicUserId: 'dyn-3' },
    ]);
  });

  it('compares legacy ids as strings (a numeric id in metadata still matches)', () => {
    const outcomes = matchOutcomes([sentUser('42')], response({ created: [{ id: 'dyn-42', metadata: { legacyId: 42 } }] }), KEY);
    expect(outcomes).toEqual([{ legacyId: '42', outcome: 'created', dynamicUserId: 'dyn-42' }]);
  });

  it('uses the configured metadata key', () => {
    const sent = [{ legacyId: '7', payload: { email: 'q@x.io', metadata: { oldId: '7' } } }];
    const outcomes = matchOutcomes(sent, response({ created: [{ id: 'd7', email: 'z@x.io', metadata: { oldId: '7' } }] }), 'oldId');
    expect(outcomes).toEqual([{ legacyId: '7', outcome: 'created', dynamicUserId: 'd7' }]);
  });

  it('falls back to the email, case-insensitively, when the answer has no metadata', () => {
    const sent = [sentUser('1', 'Ann@Example.COM'), sentUser('2', 'bob@example.com')];
    const outcomes = matchOutcomes(sent, response({
      created: [{ id: 'dyn-b', email: 'BOB@example.com' }, { id: 'dyn-a', email: 'ann@example.com', metadata: null }],
    }), KEY);
    expect(outcomes.map((o) => [o.legacyId, o.dynamicUserId])).toEqual([['1', 'dyn-a'], ['2', 'dyn-b']]);
  });

  it('reads an identity someone holds as a conflict (whose, the sender may look up), other failures as failed', () => {
    const sent = [sentUser('1', 'a@x.io'), sentUser('2', 'b@x.io'), sentUser('3', 'c@x.io'), sentUser('4', 'd@x.io')];
    const outcomes = matchOutcomes(sent, response({
      failed: [
        { user: { id: 'echo', email: 'a@x.io', metadata: { legacyId: '1' } }, code: 'email_already_exists', error: 'Email already exists' },
        { user: { email: 'b@x.io', metadata: { legacyId: '2' } }, code: 'username_already_exists', error: 'Username taken' },
        { user: { email: 'c@x.io', metadata: { legacyId: '3' } }, code: 'duplicate_exists', error: 'dup' },
        { user: { email: 'd@x.io', metadata: { legacyId: '4' } }, code: 'invalid_phone', error: 'bad phone' },
      ],
    }), KEY);
    expect(outcomes.map((o) => [o.legacyId, o.outcome, o.errorCode])).toEqual([
      ['1', 'conflict', 'email_already_exists'],
      ['2', 'conflict', 'username_already_exists'],
      ['3', 'conflict', 'duplicate_exists'],
      ['4', 'failed', 'invalid_phone'],
    ]);
    expect(outcomes[1]!.errorMessage).toBe('Username taken');
    // A failed entry echoes what was sent: no Dynamic id is taken from it.
    expect(outcomes[0]!.dynamicUserId).toBeUndefined();
  });

  it('keeps a sent user the response is silent about in doubt (no_outcome), not failed', () => {
    const outcomes = matchOutcomes([sentUser('1', 'a@x.io'), sentUser('2', 'b@x.io')], response({
      created: [{ id: 'dyn-1', metadata: { legacyId: '1' } }],
    }), KEY);
    expect(outcomes[1]).toMatchObject({ legacyId: '2', outcome: 'in_doubt', errorCode: 'no_outcome' });
    expect(outcomes[1]!.errorMessage).toMatch(/no outcome/);
  });

  it('never gives one answer to two sent users, and reports answers that match nothing', () => {
    const sent = [sentUser('1', 'same@x.io'), sentUser('2', 'same@x.io')];
    const unmatched: UnmatchedOutcome[] = [];
    const outcomes = matchOutcomes(sent, response({
      created: [{ id: 'dyn-x', email: 'same@x.io' }, { id: 'dyn-stranger', metadata: { legacyId: '999' } }],
    }), KEY, (entry) => unmatched.push(entry));
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toMatchObject({ legacyId: '1', outcome: 'created', dynamicUserId: 'dyn-x' });
    expect(outcomes[1]).toMatchObject({ legacyId: '2', outcome: 'in_doubt', errorCode: 'no_outcome' });
    expect(unmatched).toEqual([{ kind: 'created', user: { id: 'dyn-stranger', metadata: { legacyId: '999' } } }]);
  });

  it('does not match by email an answer that carries a different legacy id', () => {
    const unmatched: UnmatchedOutcome[] = [];
    const outcomes = matchOutcomes([sentUser('1', 'a@x.io')], response({
      created: [{ id: 'dyn-other', email: 'a@x.io', metadata: { legacyId: '2' } }],
    }), KEY, (entry) => unmatched.push(entry));
    expect(outcomes[0]!.errorCode).toBe('no_outcome');
    expect(unmatched).toHaveLength(1);
  });
});
