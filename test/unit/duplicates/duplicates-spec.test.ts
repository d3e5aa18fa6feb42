import { describe, expect, it } from 'vitest';
import { mappingSpecSchema } from '../../../src/mapping/index.js';

const base = { source: { table: 'users', primaryKey: 'id' } };

describe('the mapping’s duplicates section', () => {
  it('accepts each policy, and is optional', () => {
    for (const duplicates of [{ policy: 'rejectAllButFirst' }, { policy: 'merge' }, { policy: 'keepNewest', newestBy: 'updated_at' }]) {
      expect(mappingSpecSchema.parse({ ...base, duplicates }).duplicates).toEqual(duplicates);
    }
    expect(mappingSpecSchema.parse(base)).not.toHaveProperty('duplicates');
  });

  it('requires newestBy with keepNewest, and refuses an unknown policy or key', () => {
    const issues = (duplicates: unknown) => mappingSpecSchema.safeParse({ ...base, duplicates }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ policy: 'keepNewest' })).toEqual(['duplicates.newestBy: is required with policy "keepNewest" (a column such as updated_at)']);
    expect(issues({ policy: 'keepOldest' })?.[0]).toMatch(/^duplicates\.policy: /);
    expect(issues({ policy: 'merge', by: 'x' })?.[0]).toMatch(/^duplicates: .*by/);
  });
});
