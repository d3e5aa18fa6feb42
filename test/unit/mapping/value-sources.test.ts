import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/mapping/index.js';
import type { MapResult, MappingSpecInput } from '../../../src/mapping/index.js';
import { readColumnPath } from '../../../src/mapping/column-path.js';
import { evaluateCondition, sameValue } from '../../../src/mapping/condition.js';
import { RowProblem } from '../../../src/mapping/row-problem.js';
import { renderTemplate } from '../../../src/mapping/template.js';
import { source, spec } from './fixtures.js';

/** A mapping of the given metadata section, with a constant email so that every user has a way to sign in. */
function mappingOf(metadata: MappingSpecInput['metadata']) {
  return compileMapping(spec({ fields: { email: { constant: 'ann@example.com' } }, metadata }));
}

/** Maps one row with the given metadata section and returns the metadata (legacy id left out). */
function metadataOf(metadata: MappingSpecInput['metadata'], row: Record<string, unknown>): Record<string, unknown> {
  const result: MapResult = mappingOf(metadata)(source(row));
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.rejections)}`);
  const { legacyId: _legacyId, ...rest } = result.payload.metadata as Record<string, unknown>;
  return rest;
}

function rejectionsOf(metadata: MappingSpecInput['metadata'], row: Record<string, unknown>) {
  const result = mappingOf(metadata)(source(row));
  if (result.ok) throw new Error('expected a rejection');
  return result.rejections.map(({ field, rule }) => [field, rule]);
}

describe('JSON paths on column refs', () => {
  const meta = { full_name: 'Ann Lee', address: { city: 'Oslo' }, identities: [{ id: 'g-1' }, { id: 'g-2' }] };

  it('reads keys and array indexes of a json column, shorthand or { column }', () => {
    expect(metadataOf({ name: 'meta.full_name', city: { column: 'meta.address.city', transforms: ['upper'] }, second: 'meta.identities.1.id' }, { meta }))
      .toEqual({ name: 'Ann Lee', city: 'OSLO', second: 'g-2' });
  });

  it('gives null for a missing key, index or a path through null', () => {
    expect(metadataOf({ a: 'meta.nope', b: 'meta.identities.5.id', c: { column: 'meta.address.zip', default: 'none' } }, { meta })).toEqual({ c: 'none' });
    expect(readColumnPath({ meta: null }, 'meta.a.b')).toBeNull();
    expect(readColumnPath({ meta }, 'meta.identities.x')).toBeNull();
  });

  it('parses a text column holding JSON, and refuses text that is not JSON', () => {
    expect(readColumnPath({ raw: JSON.stringify(meta) }, 'raw.address.city')).toBe('Oslo');
    expect(readColumnPath({ raw: '  ' }, 'raw.address')).toBeNull();
    expect(() => readColumnPath({ raw: 'not json' }, 'raw.a')).toThrow(RowProblem);
    expect(rejectionsOf({ city: 'raw.city' }, { raw: '{oops' })).toEqual([['metadata.city', 'type']]);
  });

  it('reports a missing column by its name, not the path', () => {
    expect(() => readColumnPath({}, 'meta.a')).toThrow('column "meta" is not in the source row');
  });
});

describe('template', () => {
  it('fills placeholders, collapses spaces and trims', () => {
    expect(metadataOf({ name: { template: '{first_name} {middle} {last_name}' } }, { first_name: 'Ann', middle: null, last_name: 'Lee' })).toEqual({ name: 'Ann Lee' });
    expect(metadataOf({ city: { template: 'lives in {meta.city}', transforms: ['upper'] } }, { meta: { city: 'Oslo' } })).toEqual({ city: 'LIVES IN OSLO' });
  });

  it('is null when every placeholder is null or blank, then takes the default', () => {
    expect(metadataOf({ name: { template: 'Mr {first} {last}', default: 'anon' } }, { first: null, last: '  ' })).toEqual({ name: 'anon' });
    expect(renderTemplate('{a}{b}', () => null)).toBeNull();
  });

  it('keeps doubled braces as literal braces and prints numbers and objects', () => {
    expect(renderTemplate('{{{id}}} {n} {o}', (ref) => ({ id: 'x', n: 5, o: { a: 1 } })[ref] ?? null)).toBe('{x} 5 {"a":1}');
    expect(renderTemplate('no placeholders', () => null)).toBe('no placeholders');
  });
});

describe('firstOf', () => {
  it('takes the first value that is neither null nor blank, and shapes it', () => {
    const metadata = { name: { firstOf: ['nick', { column: 'meta.name', transforms: ['trim'] }, { constant: 'Friend' }], transforms: ['upper'] } } as const;
    expect(metadataOf(metadata, { nick: '  ', meta: { name: ' Ann ' } })).toEqual({ name: 'ANN' });
    expect(metadataOf(metadata, { nick: 'zed', meta: {} })).toEqual({ name: 'ZED' });
    expect(metadataOf(metadata, { nick: null, meta: {} })).toEqual({ name: 'FRIEND' });
  });

  it('is null when every source is empty', () => {
    expect(metadataOf({ name: { firstOf: ['a', 'b'] } }, { a: null, b: '' })).toEqual({});
  });
});

describe('when / then / else', () => {
  const row = { verified: 'yes', confirmed_at: new Date('2024-01-02T00:00:00Z'), plan: 'pro', n: '5', meta: { tier: 2 } };

  it('picks then or else, and is null without else', () => {
    const metadata = {
      a: { when: { notNull: 'confirmed_at' }, then: { constant: 'confirmed' }, else: { constant: 'pending' } },
      b: { when: { isNull: 'confirmed_at' }, then: { constant: 'x' } },
      c: { when: { equals: { column: 'plan', value: 'free' } }, then: { constant: 'x' }, else: 'plan', transforms: ['upper'] },
    } as const;
    expect(metadataOf(metadata, row)).toEqual({ a: 'confirmed', c: 'PRO' });
  });

  it('evaluates every condition kind', () => {
    expect(evaluateCondition({ equals: { column: 'n', value: 5 } }, row)).toBe(true);
    expect(evaluateCondition({ equals: { column: 'meta.tier', value: 2 } }, row)).toBe(true);
    expect(evaluateCondition({ in: { column: 'plan', values: ['team', 'pro'] } }, row)).toBe(true);
    expect(evaluateCondition({ in: { column: 'plan', values: ['team'] } }, row)).toBe(false);
    expect(evaluateCondition({ all: [{ notNull: 'plan' }, { isNull: 'meta.missing' }] }, row)).toBe(true);
    expect(evaluateCondition({ all: [{ notNull: 'plan' }, { isNull: 'plan' }] }, row)).toBe(false);
    expect(evaluateCondition({ any: [{ isNull: 'plan' }, { equals: { column: 'verified', value: 'yes' } }] }, row)).toBe(true);
    expect(evaluateCondition({ any: [{ isNull: 'plan' }, { notNull: 'meta.missing' }] }, row)).toBe(false);
  });

  it('compares numbers with their text, but not booleans with text', () => {
    expect(sameValue('5', 5)).toBe(true);
    expect(sameValue('true', true)).toBe(false);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameValue(null, 'null')).toBe(false);
  });

  it('rejects the row when a condition names a missing column', () => {
    expect(rejectionsOf({ a: { when: { notNull: 'nope' }, then: { constant: 1 } } }, row)).toEqual([['metadata.a', 'missing_column']]);
  });
});

describe('shaping keys on every kind', () => {
  it('applies map, unmapped and default after a constant, template, firstOf and when', () => {
    const metadata = {
      a: { constant: 'ethereum', map: { ethereum: 'ETH' } },
      b: { template: '{chain}', map: { polygon: 'EVM' } },
      c: { firstOf: ['missing_value', 'chain'], map: { polygon: 'EVM' } },
      d: { when: { notNull: 'chain' }, then: { constant: 'x' }, map: { y: 'z' }, unmapped: 'null', default: 'fallback' },
    } as const;
    expect(metadataOf(metadata, { chain: 'polygon', missing_value: null })).toEqual({ a: 'ETH', b: 'EVM', c: 'EVM', d: 'fallback' });
    expect(rejectionsOf({ a: { template: '{chain}', map: { x: 'y' }, unmapped: 'reject' } }, { chain: 'doge' })).toEqual([['metadata.a', 'value_map']]);
  });
});
