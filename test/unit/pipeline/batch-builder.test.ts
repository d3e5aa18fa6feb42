import { describe, expect, it } from 'vitest';
import { BatchBuilder } from '../../../src/pipeline/batch-builder.js';
import type { PlannedUser } from '../../../src/pipeline/batch-builder.js';

const user = (id: string): PlannedUser => ({ legacyId: id, payload: { email: `${id}@example.com` }, payloadHash: `h${id}` });
const rejection = (id: string) => ({ legacyId: id, field: 'email', rule: 'pattern', message: 'bad' });

describe('BatchBuilder', () => {
  it('closes a batch at batchSize users and covers the key range including rejected rows', () => {
    const builder = new BatchBuilder(2);
    expect(builder.addUser('1', user('1'), false)).toBeUndefined();
    expect(builder.addRejected('2', [rejection('2')])).toBeUndefined();
    const batch = builder.addUser('3', user('3'), false);
    expect(batch).toMatchObject({ firstKey: '1', lastKey: '3', rejectedKeys: ['2'], upsert: false });
    expect(batch?.users.map((u) => u.legacyId)).toEqual(['1', '3']);
    expect(builder.flush()).toBeUndefined();
  });

  it('marks a batch upsert when any of its users needs it', () => {
    const builder = new BatchBuilder(3);
    builder.addUser('1', user('1'), false);
    builder.addUser('2', user('2'), true);
    expect(builder.flush()).toMatchObject({ upsert: true, firstKey: '1', lastKey: '2' });
  });

  it('flushes a batch holding only rejected rows, so their range settles too', () => {
    const builder = new BatchBuilder(50);
    builder.addRejected('7', [rejection('7'), { ...rejection('7'), field: 'username' }]);
    const batch = builder.flush();
    expect(batch).toMatchObject({ firstKey: '7', lastKey: '7', users: [], rejectedKeys: ['7'] });
    expect(batch?.rejections).toHaveLength(2);
  });

  it('closes a batch after 500 rejected rows so a long bad stretch cannot grow it without bound', () => {
    const builder = new BatchBuilder(50);
    let closed;
    for (let i = 1; i <= 500 && !closed; i++) closed = builder.addRejected(String(i), [rejection(String(i))]);
    expect(closed?.rejectedKeys).toHaveLength(500);
  });
});
