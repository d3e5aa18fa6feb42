import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/errors.js';
import { parseMapping } from '../../../src/mapping/index.js';

const source = {
  table: 'auth.users',
  primaryKey: 'id',
  filter: { sql: 'deleted_at is null' },
  children: { wallets: { table: 'user_wallets', foreignKey: 'user_id', orderBy: 'created_at desc, id' } },
};

/** The MappingError a document raises, or a failure when it parses. */
function errorOf(document: unknown): MappingError {
  try {
    parseMapping(document, 'mappings/broken.json');
  } catch (error) {
    if (error instanceof MappingError) return error;
    throw error;
  }
  throw new Error('expected a MappingError');
}

describe('parseMapping', () => {
  it('normalises shorthands and fills in defaults', () => {
    const spec = parseMapping({ source, fields: { email: 'email_address' } }, 'm.json');
    expect(spec.fields?.email).toEqual({ column: 'email_address' });
    expect(spec.legacyIdKey).toBe('legacyId');
    expect(spec.source).toEqual(source);
  });

  it('names the file and path of an unknown transform', () => {
    const error = errorOf({ source, fields: { email: { column: 'email', transforms: ['trim', 'lwr'] } } });
    expect(error.file).toBe('mappings/broken.json');
    expect(error.path).toBe('fields.email.transforms[1]');
    expect(error.reason).toMatch(/^unknown transform "lwr"/);
    expect(error.message).toMatch(/^mappings\/broken\.json: fields\.email\.transforms\[1\]: unknown transform "lwr"/);
  });

  it('names a typo in a field name and suggests the right one', () => {
    const error = errorOf({ source, fields: { emial: 'email' } });
    expect(error.path).toBe('fields.emial');
    expect(error.reason).toContain('did you mean "email"');
    expect(errorOf({ source, fields: { firstname: 'x' } }).reason).toContain('"firstName"');
  });

  it('names unknown keys inside a value source', () => {
    const error = errorOf({ source, fields: { email: { column: 'email', transfroms: ['trim'] } } });
    expect(error.path).toBe('fields.email.transfroms');
  });

  it('names a bad unmapped mode', () => {
    const error = errorOf({ source, fields: { country: { column: 'c', map: {}, unmapped: 'drop' } } });
    expect(error.path).toBe('fields.country.unmapped');
    expect(error.reason).toContain('keep, null, reject');
  });

  it('explains a value source of no known shape', () => {
    const error = errorOf({ source, fields: { email: 42 } });
    expect(error.path).toBe('fields.email');
    expect(error.reason).toContain('expected "column_name", { column, ... }, { constant }, { template }, { firstOf: [...] } or { when, then, else }');
  });

  it('reports a missing required part as required', () => {
    const error = errorOf({ source: { table: 'users' } });
    expect(error.path).toBe('source.primaryKey');
    expect(error.reason).toBe('is required');
    expect(errorOf({ source, wallets: [{ from: 'row', address: 'a', chain: 'c', walletName: 'n' }] }).path).toBe('wallets[0].walletProvider');
  });

  it('rejects a wallet or OAuth rule reading an undeclared child', () => {
    const error = errorOf({ source, wallets: [{ from: 'walets', address: 'a', chain: 'c', walletName: 'n', walletProvider: 'p' }] });
    expect(error.path).toBe('wallets[0].from');
    expect(error.reason).toContain('declared children: wallets');
    expect(errorOf({ source, oauthAccounts: [{ from: 'identities', provider: 'p', accountId: 'a' }] }).path).toBe('oauthAccounts[0].from');
  });

  it('keeps the legacy id key for the legacy id', () => {
    expect(errorOf({ source, metadata: { legacyId: 'id' } }).path).toBe('metadata.legacyId');
    expect(() => parseMapping({ source, legacyIdKey: 'oldId', metadata: { legacyId: 'id' } }, 'm.json')).not.toThrow();
  });

  it('refuses unsafe table names and job names', () => {
    expect(errorOf({ source: { ...source, table: 'users; drop table users' } }).path).toBe('source.table');
    expect(errorOf({ source, job: '../../etc/passwd' }).path).toBe('job');
    expect(errorOf({ source: { ...source, children: { row: { table: 't', foreignKey: 'u' } } } }).path).toBe('source.children.row');
  });

  it('refuses a document that is not an object, or has unknown top-level keys', () => {
    expect(errorOf(null).path).toBe('');
    expect(errorOf({ source, field: {} }).path).toBe('field');
  });

  it('counts the further problems after the first', () => {
    const error = errorOf({ source, fields: { emial: 'email', lastname: 'x' } });
    expect(error.reason).toContain('and 1 more: fields.lastname');
  });
});
