import { describe, expect, it } from 'vitest';
import { BatchBuilder } from '../../../src/pipeline/batch-builder.js';
import type { PlannedUser } from '../../../src/pipeline/batch-builder.js';

const user = (id: string): PlannedUser => ({ legacyId: id, payload: { email: `${id}@example.com` }, payloadHash: `h${id}` });
const rejection = (id: string) => ({ legacyId: id, field: 'email', rule: 'pattern', message: 'bad' });

describe('BatchBuilder', () => {
  it('closes a batch at batchSize users and covers the key range including rejected rows', () => {
    const builder = new BatchBuilder(2);
    expect(builder.addUser('1', user('1'), 'create')).toBeUndefined();
    expect(builder.addRejected('2', [rejection('2')])).toBeUndefined();
    const batches = builder.addUser('3', user('3'), 'create');
    expect(batches).toHaveLength(1);
    expect(batches?.[0]).toMatchObject({ firstKey: '1', lastKey: '3', rejectedKeys: ['2'], upsert: false, positioned: true });
    expect(batches?.[0]?.users.map((u) => u.legacyId)).toEqual(['1', '3']);
    expect(builder.flush()).toBeUndefined();
  });

  it('never mixes upsert and create users in one request: a range of both is two batches, the second carrying the range', () => {
    const builder = new BatchBuilder(3);
    builder.addUser('1', user('1'), 'create');
    builder.addUser('2', user('2'), 'upsert');
    builder.addRejected('3', [rejection('3')]);
    builder.addUser('4', user('4'), 'create');
    const [first, second, ...rest] = builder.flush() ?? [];
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ upsert: true, positioned: false, firstKey: '1', lastKey: '4', rejectedKeys: [] });
    expect(first?.users.map((u) => u.legacyId)).toEqual(['2']);
    expect(second).toMatchObject({ upsert: false, positioned: true, firstKey: '1', lastKey: '4', rejectedKeys: ['3'] });
    expect(second?.users.map((u) => u.legacyId)).toEqual(['1', '4']);
  });

  it('a range of upsert users alone is one positioned upsert batch', () => {
    const builder = new BatchBuilder(2);
    builder.addUser('1', user('1'), 'upsert');
    const batches = builder.addUser('2', user('2'), 'upsert');
    expect(batches).toHaveLength(1);
    expect(batches?.[0]).toMatchObject({ upsert: true, positioned: true });
  });

  it('flushes a batch holding only rejected rows, so their range settles too', () => {
    const builder = new BatchBuilder(50);
    builder.addRejected('7', [rejection('7'), { ...rejection('7'), field: 'username' }]);
    const [batch] = builder.flush() ?? [];
    expect(batch).toMatchObject({ firstKey: '7', lastKey: '7', users: [], rejectedKeys: ['7'], positioned: true });
    expect(batch?.rejections).toHaveLength(2);
  });

  it('carries users held back with their outcome in the range', () => {
    const builder = new BatchBuilder(50);
    builder.addSkipped('5', { legacyId: '5', outcome: 'conflict' });
    builder.addSkipped('6');
    const [batch] = builder.flush() ?? [];
    expect(batch).toMatchObject({ firstKey: '5', lastKey: '6', users: [], held: [{ legacyId: '5', outcome: 'conflict' }] });
  });

  it('closes a batch after 500 rejected rows so a long bad stretch cannot grow it without bound', () => {
    const builder = new BatchBuilder(50);
    let closed;
    for (let i = 1; i <= 500 && !closed; i++) closed = builder.addRejected(String(i), [rejection(String(i))]);
    expect(closed?.[0]?.rejectedKeys).toHaveLength(500);
  });
});
