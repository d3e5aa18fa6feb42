import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/errors.js';
import { parseMapping } from '../../../src/mapping/index.js';

const source = { table: 'users', primaryKey: 'id' };

/** `path: reason` of the MappingError a document raises; fails when it parses. */
function problemOf(document: unknown): string {
  try {
    parseMapping(document, 'mappings/broken.json');
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    expect(error.message).toBe(`mappings/broken.json: ${error.path}: ${error.reason}`);
    expect(error.message).not.toMatch(/\n\s+at /);
    return `${error.path}: ${error.reason}`;
  }
  throw new Error('expected a MappingError');
}

const field = (valueSource: unknown) => ({ source, fields: { firstName: valueSource } });

describe('mapping errors of the new constructs', () => {
  it('name an unknown transform inside firstOf by its full path', () => {
    expect(problemOf(field({ firstOf: ['a', { column: 'b', transforms: ['uppr'] }] }))).toMatch(/^fields\.firstName\.firstOf\[1\]\.transforms\[0\]: unknown transform "uppr"/);
  });

  it('explain a condition of no known shape, and a bad part of a known one', () => {
    expect(problemOf(field({ when: { equal: { column: 'a', value: 1 } }, then: 'a' }))).toMatch(/^fields\.firstName\.when: is not a condition: expected \{ notNull \}/);
    expect(problemOf(field({ when: { equals: { column: 'a' } }, then: 'a' }))).toBe('fields.firstName.when.equals.value: is required');
    expect(problemOf(field({ when: { all: [{ notNull: 'a' }, { isNull: 5 }] }, then: 'a' }))).toBe('fields.firstName.when.all[1].isNull: must be a column name (text)');
    expect(problemOf(field({ when: { in: { column: 'a', values: [] } }, then: 'a' }))).toBe('fields.firstName.when.in.values: must list at least one value');
    expect(problemOf(field({ when: { notNull: 'a' }, then: 42 }))).toMatch(/^fields\.firstName\.then: is not a value source/);
  });

  it('say truncate needs a whole positive number', () => {
    expect(problemOf(field({ column: 'a', transforms: ['truncate'] }))).toBe('fields.firstName.transforms[0]: truncate needs a length: write { truncate: N }');
    expect(problemOf(field({ column: 'a', transforms: [{ truncate: 'x' }] }))).toBe('fields.firstName.transforms[0].truncate: must be a whole number of characters');
    expect(problemOf(field({ column: 'a', transforms: [{ truncate: 0 }] }))).toBe('fields.firstName.transforms[0].truncate: must be at least 1');
    expect(problemOf(field({ column: 'a', transforms: [{ trunc: 5 }] }))).toMatch(/^fields\.firstName\.transforms\[0\]: is not a transform/);
  });

  it('refuse a phone region libphonenumber does not know, in a transform or the options', () => {
    expect(problemOf(field({ column: 'a', transforms: [{ e164: { region: 'XX' } }] }))).toMatch(/^fields\.firstName\.transforms\[0\]\.e164\.region: must be an upper-case region code/);
    expect(problemOf({ source, options: { phoneRegion: 'usa' } })).toMatch(/^options\.phoneRegion: /);
    expect(problemOf({ source, options: { region: 'US' } })).toBe('options.region: is not a known key here');
  });

  it('point at the brace that breaks a template', () => {
    expect(problemOf(field({ template: '{first_name' }))).toMatch(/^fields\.firstName\.template: has a "\{" at character 1 that is never closed/);
    expect(problemOf(field({ template: 'a } b' }))).toMatch(/^fields\.firstName\.template: has a "\}" at character 3 that closes nothing/);
    expect(problemOf(field({ template: '{first name}' }))).toMatch(/^fields\.firstName\.template: placeholder \{first name\} is not a column name/);
  });

  it('refuse empty lists and malformed JSON paths', () => {
    expect(problemOf(field({ firstOf: [] }))).toBe('fields.firstName.firstOf: must list at least one value source');
    expect(problemOf(field('a..b'))).toMatch(/^fields\.firstName: must be a column name, optionally followed by a JSON path/);
    expect(problemOf({ source, wallets: [{ from: { json: 'a..b' }, address: 'a', chain: 'c', walletName: 'n', walletProvider: 'p' }] })).toMatch(/^wallets\[0\]\.from\.json: /);
  });

  it('name the broken part of a declarative filter', () => {
    expect(problemOf({ source: { ...source, filter: { equals: { column: 'a', value: { x: 1 } } } } })).toBe('source.filter.equals.value: must be text, a number or a boolean');
    expect(problemOf({ source: { ...source, filter: { isNull: 'a; drop table users' } } })).toBe('source.filter.isNull: is not a valid column name');
    expect(problemOf({ source: { ...source, filter: { notnull: 'a' } } })).toMatch(/^source\.filter: is not a filter: expected \{ sql \}/);
    expect(problemOf({ source: { ...source, filter: { all: [{ isNull: 'a' }, { in: { column: 'b', values: [] } }] } } })).toBe('source.filter.all[1].in.values: must list at least one value');
    expect(problemOf({ source: { ...source, children: { w: { table: 't', foreignKey: 'u', filter: { any: [] } } } } })).toMatch(/^source\.children\.w\.filter: is not a filter/);
  });
});

describe('what still parses', () => {
  it('accepts every new construct, drops $schema, and keeps JSON paths in the shorthand', () => {
    const spec = parseMapping(
      {
        $schema: './mapping.schema.json',
        source: { ...source, filter: { all: [{ isNull: 'deleted_at' }, { in: { column: 'plan', values: ['pro', 1, true] } }] } },
        options: { phoneRegion: 'US' },
        fields: { firstName: 'meta.name.0', phoneNumber: { column: 'phone', transforms: ['e164', { e164: { region: 'GB' } }] } },
      },
      'm.json',
    );
    expect(spec).not.toHaveProperty('$schema');
    expect(spec.fields?.firstName).toEqual({ column: 'meta.name.0' });
    expect(spec.options).toEqual({ phoneRegion: 'US' });
  });
});
