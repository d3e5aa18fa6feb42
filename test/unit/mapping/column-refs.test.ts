import { describe, expect, it } from 'vitest';
import { collectColumnRefs, loadMappingFile, parseMapping } from '../../../src/mapping/index.js';
import type { ColumnRef } from '../../../src/mapping/index.js';

const mapping = parseMapping(
  {
    source: {
      table: 'auth.users',
      primaryKey: 'id',
      filter: { all: [{ isNull: 'deleted_at' }, { sql: 'true' }, { equals: { column: 'is_anonymous', value: false } }] },
      children: { identities: { table: 'auth.identities', foreignKey: 'user_id', orderBy: 'created_at desc, id', filter: { in: { column: 'provider', values: ['google'] } } } },
    },
    fields: {
      email: { column: 'email', transforms: ['trim', { truncate: 50 }] },
      firstName: { firstOf: [{ column: 'meta.full_name', transforms: ['stripForbidden'] }, 'meta.name'], transforms: ['firstName'] },
      alias: { template: '{first_name} {meta.last}' },
      country: { when: { any: [{ notNull: 'country' }, { equals: { column: 'meta.c', value: 1 } }] }, then: 'country', else: { constant: 'US' } },
      policiesConsent: { constant: true },
    },
    metadata: { plan: 'plan' },
    wallets: [{ from: { json: 'meta.wallets' }, address: 'address', chain: 'info.chain', walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' } }],
    oauthAccounts: [{ from: 'identities', provider: 'provider', accountId: { column: 'provider_id', transforms: [{ e164: { region: 'GB' } }] } }],
  },
  'refs.json',
);

const ref = (table: string, record: string, column: string, usedBy: string, jsonPath: string[] = [], transforms: string[] = []): ColumnRef =>
  ({ table, record, column, jsonPath, transforms, usedBy }) as ColumnRef;

describe('collectColumnRefs', () => {
  it('lists keys, filters, value sources, conditions, templates and JSON rules in document order', () => {
    expect(collectColumnRefs(mapping)).toEqual([
      ref('auth.users', 'source', 'id', 'source.primaryKey'),
      ref('auth.users', 'source', 'deleted_at', 'source.filter'),
      ref('auth.users', 'source', 'is_anonymous', 'source.filter'),
      ref('auth.identities', 'identities', 'user_id', 'children.identities.foreignKey'),
      ref('auth.identities', 'identities', 'created_at', 'children.identities.orderBy'),
      ref('auth.identities', 'identities', 'id', 'children.identities.orderBy'),
      ref('auth.identities', 'identities', 'provider', 'children.identities.filter'),
      ref('auth.users', 'source', 'email', 'fields.email', [], ['trim', 'truncate']),
      ref('auth.users', 'source', 'meta', 'fields.firstName.firstOf[0]', ['full_name'], ['stripForbidden', 'firstName']),
      ref('auth.users', 'source', 'meta', 'fields.firstName.firstOf[1]', ['name'], ['firstName']),
      ref('auth.users', 'source', 'first_name', 'fields.alias.template'),
      ref('auth.users', 'source', 'meta', 'fields.alias.template', ['last']),
      ref('auth.users', 'source', 'country', 'fields.country.when'),
      ref('auth.users', 'source', 'meta', 'fields.country.when', ['c']),
      ref('auth.users', 'source', 'country', 'fields.country.then'),
      ref('auth.users', 'source', 'plan', 'metadata.plan'),
      ref('auth.users', 'source', 'meta', 'wallets[0].from', ['wallets']),
      ref('auth.users', 'source', 'meta', 'wallets[0].address', ['wallets', '*', 'address']),
      ref('auth.users', 'source', 'meta', 'wallets[0].chain', ['wallets', '*', 'info', 'chain']),
      ref('auth.identities', 'identities', 'provider', 'oauthAccounts[0].provider'),
      ref('auth.identities', 'identities', 'provider_id', 'oauthAccounts[0].accountId', [], ['e164']),
    ]);
  });

  it('covers every column the example mapping reads', async () => {
    const { spec } = await loadMappingFile('mappings/example.ts');
    const refs = collectColumnRefs(spec);
    const users = new Set(refs.filter((r) => r.table === 'users').map((r) => r.column));
    expect([...users].sort()).toEqual(['country', 'created_at', 'email', 'email_verified_at', 'eth_address', 'first_name', 'id', 'job_title', 'last_name', 'marketing_opt_in', 'phone', 'plan', 'updated_at', 'username']);
    // The change columns are read as timestamps, so `check` can flag one of another type.
    expect(refs.find((r) => r.usedBy === 'source.changeCursor')).toEqual(ref('users', 'source', 'updated_at', 'source.changeCursor', [], ['isoTimestamp']));
    expect(refs.find((r) => r.usedBy === 'children.wallets.changeColumn')?.transforms).toEqual(['isoTimestamp']);
    expect(refs.find((r) => r.usedBy === 'wallets[0].chain')).toEqual(ref('user_wallets', 'wallets', 'chain', 'wallets[0].chain', [], ['trim', 'lower']));
  });
});
