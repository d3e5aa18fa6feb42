import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/mapping/index.js';
import type { MappingSpec } from '../../../src/mapping/index.js';
import { compileColumnRead, markJsonRecord } from '../../../src/mapping/column-path.js';
import { compileCondition } from '../../../src/mapping/condition.js';
import { compileValueSource, evaluateField, compileAssigner } from '../../../src/mapping/compile-value-source.js';
import { RowContext } from '../../../src/mapping/row-context.js';
import { RowProblem } from '../../../src/mapping/row-problem.js';
import { compileTemplate } from '../../../src/mapping/template.js';
import { compileTransform } from '../../../src/mapping/transforms.js';
import type { TransformSpec } from '../../../src/mapping/transforms.js';
import type { ValueSource } from '../../../src/mapping/value-source.js';

const context = () => new RowContext('42', undefined);

describe('compileColumnRead', () => {
  it('reads plain columns and JSON paths, as JSON', () => {
    const record = { email: 'a@x.io', at: new Date(0), meta: { name: 'Ann', list: [{ id: 7 }] }, text: '{"a":{"b":1}}' };
    expect(compileColumnRead('email')(record)).toBe('a@x.io');
    expect(compileColumnRead('at')(record)).toBe('1970-01-01T00:00:00.000Z');
    expect(compileColumnRead('meta.list.0.id')(record)).toBe(7);
    expect(compileColumnRead('meta.missing')(record)).toBeNull();
    expect(compileColumnRead('text.a.b')(record)).toBe(1);
  });

  it('tells a missing column of a table from a missing key of a JSON element', () => {
    expect(() => compileColumnRead('nope')({})).toThrow(new RowProblem('missing_column', 'column "nope" is not in the source row'));
    expect(() => compileColumnRead('nope.deeper')({})).toThrow(RowProblem);
    expect(compileColumnRead('nope')(markJsonRecord({}))).toBeNull();
  });
});

describe('compileTransform', () => {
  it('resolves names and parameters once', () => {
    const warnings: string[] = [];
    const warn = (rule: string) => warnings.push(rule);
    expect(compileTransform('lower')('ABC', {})).toBe('abc');
    expect(compileTransform({ truncate: 3 })('abcdef', { warn })).toBe('abc');
    expect(warnings).toEqual(['truncated']);
    expect(compileTransform({ e164: { region: 'GB' } })('020 7946 0958', {})).toBe('+442079460958');
  });

  it('fails on a name it does not know when applied, not when compiled', () => {
    const unknown = compileTransform('shout' as TransformSpec);
    expect(() => unknown('x', {})).toThrow(TypeError);
  });
});

describe('compileCondition', () => {
  it('tests records like evaluateCondition', () => {
    const test = compileCondition({ all: [{ notNull: 'a' }, { any: [{ equals: { column: 'b', value: 5 } }, { in: { column: 'c', values: ['x', 'y'] } }] }] });
    expect(test({ a: 1, b: '5', c: null })).toBe(true);
    expect(test({ a: 1, b: 4, c: 'y' })).toBe(true);
    expect(test({ a: 1, b: 4, c: 'z' })).toBe(false);
    expect(test({ a: null, b: 5, c: 'x' })).toBe(false);
  });
});

describe('compileTemplate', () => {
  it('fills placeholders from the record', () => {
    const fill = compileTemplate('{first}  {last}', compileColumnRead);
    expect(fill({ first: 'Ann', last: 'Lee' })).toBe('Ann Lee');
    expect(fill({ first: null, last: ' ' })).toBeNull();
  });

  it('throws the parse error when filled, not when compiled', () => {
    const fill = compileTemplate('{first', compileColumnRead);
    expect(() => fill({ first: 'Ann' })).toThrow('is never closed');
  });
});

describe('compileValueSource', () => {
  it('applies transforms, the value map and the default in that order', () => {
    const chain = compileValueSource({ column: 'chain', transforms: ['trim', 'lower'], map: { ethereum: 'ETH' }, unmapped: 'null', default: 'EVM' });
    expect(chain({ chain: ' Ethereum ' }, context())).toBe('ETH');
    expect(chain({ chain: 'doge' }, context())).toBe('EVM');
    expect(chain({ chain: null }, context())).toBe('EVM');
  });

  it('keeps only the warnings of the firstOf candidate that is used', () => {
    const source: ValueSource = { firstOf: [{ column: 'a', transforms: ['slugUsername'] }, { column: 'b', transforms: ['slugUsername'] }] };
    const row = context();
    row.field = 'username';
    expect(compileValueSource(source)({ a: '!', b: 'Ann Lee' }, row)).toBe('Ann_Lee');
    expect(row.warnings.map((warning) => [warning.field, warning.rule])).toEqual([['username', 'slugified']]);
  });

  it('drops the warnings of a candidate that fails, and records the problem under the field', () => {
    const source: ValueSource = { firstOf: [{ column: 'a', transforms: [{ truncate: 2 }, 'boolean'] }] };
    const row = context();
    row.list = 'wallets';
    row.index = 1;
    row.field = 'chain';
    expect(evaluateField(compileValueSource(source), { a: 'maybe' }, row)).toBeUndefined();
    expect(row.warnings).toEqual([]);
    expect(row.problems).toEqual([{ field: 'wallets[1].chain', rule: 'transform', message: 'boolean: is not one of t/f, true/false, yes/no, y/n, on/off, 1/0', value: 'ma' }]);
  });

  it('reads any column name as data, never as code', () => {
    for (const column of ['we"ird', 'back\\slash', "it's", '${x}', 'line\nbreak', '__proto__', 'constructor']) {
      const read = compileValueSource({ column, transforms: ['trim'] });
      expect(read(Object.defineProperty({}, column, { value: ' v ', enumerable: true }), context())).toBe('v');
      // Only the record's own columns count: `constructor` and `__proto__` are on every object's prototype.
      expect(() => read({}, context())).toThrow(new RowProblem('missing_column', `column "${column}" is not in the source row`));
      expect(read(markJsonRecord({}), context())).toBeNull();
    }
  });

  it('turns what pg returns into JSON before shaping it, and passes SQL NULL through every transform', () => {
    const at = compileValueSource({ column: 'at', transforms: ['isoTimestamp'] });
    expect(at({ at: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)) }, context())).toBe('2020-01-02T03:04:05.006Z');
    expect(at({ at: null }, context())).toBeNull();
    expect(compileValueSource({ column: 'n', transforms: ['string'], default: 'none' })({ n: 12n }, context())).toBe('12');
    expect(() => compileValueSource({ column: 'n', transforms: ['string'] })({ n: Number.NaN }, context())).toThrow(new RowProblem('type', 'is not a finite number', Number.NaN));
  });

  it('rejects an unmapped value, or keeps it, as the source says', () => {
    const chain = (unmapped: 'reject' | 'keep') => compileValueSource({ column: 'chain', map: { ethereum: 'ETH' }, unmapped });
    expect(() => chain('reject')({ chain: 'doge' }, context())).toThrow(new RowProblem('value_map', 'has no entry in the value map (unmapped: reject)', 'doge'));
    expect(chain('keep')({ chain: 'doge' }, context())).toBe('doge');
    // Only the map's own entries: "constructor" is not one.
    expect(() => chain('reject')({ chain: 'constructor' }, context())).toThrow(RowProblem);
  });

  it('defers a spec it cannot compile to evaluation', () => {
    const broken = compileValueSource(undefined as unknown as ValueSource);
    expect(() => broken({}, context())).toThrow(TypeError);
  });
});

describe('compileAssigner', () => {
  const member = (key: string, field: string, source: ValueSource) => ({ key, field, value: compileValueSource(source) });

  it('sets the members with a value, in order, and records each problem under its own field', () => {
    const assign = compileAssigner([
      member('email', 'email', { column: 'email', transforms: ['lower'] }),
      member('odd "key"', 'metadata.odd "key"', { column: 'n', transforms: ['boolean'] }),
      member('plan', 'metadata.plan', { column: 'plan' }),
      member('gone', 'gone', { column: 'absent_value' }),
    ]);
    const row = context();
    const target: Record<string, unknown> = {};
    assign(target, { email: 'A@X.IO', n: 'maybe', plan: 'pro', absent_value: null }, row);
    expect(target).toEqual({ email: 'a@x.io', plan: 'pro' });
    expect(Object.keys(target)).toEqual(['email', 'plan']);
    expect(row.problems).toEqual([{ field: 'metadata.odd "key"', rule: 'transform', message: 'boolean: is not one of t/f, true/false, yes/no, y/n, on/off, 1/0', value: 'maybe' }]);
    expect(row.field).toBe('gone');
  });

  it('throws what is not a row problem: the mapper turns it into an internal rejection', () => {
    const assign = compileAssigner([{ key: 'a', field: 'a', value: () => { throw new TypeError('bug'); } }]);
    expect(() => assign({}, {}, context())).toThrow(TypeError);
  });
});

describe('RowContext', () => {
  it('names the field being built', () => {
    const row = context();
    row.field = 'metadata.plan';
    expect(row.fieldName()).toBe('metadata.plan');
    row.list = 'oauthAccounts';
    row.index = 0;
    row.field = 'accountId';
    expect(row.fieldName()).toBe('oauthAccounts[0].accountId');
  });
});

describe('compileMapping', () => {
  it('turns a spec it cannot compile into internal rejections, row by row, instead of throwing', () => {
    const map = compileMapping({ legacyIdKey: 'legacyId', wallets: 'not a list' } as unknown as MappingSpec);
    const result = map({ key: '9', row: {}, children: {} });
    expect(result).toMatchObject({ ok: false, legacyId: '9', rejections: [{ field: '(row)', rule: 'internal' }] });
  });
});
