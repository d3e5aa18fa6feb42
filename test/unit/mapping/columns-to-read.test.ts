import { describe, expect, it } from 'vitest';
import { columnsToRead, loadMappingFile } from '../../../src/mapping/index.js';
import { parseMapping } from '../../../src/mapping/parse-mapping.js';

const sorted = (columns: string[]) => [...columns].sort();

describe('columnsToRead', () => {
  it('lists, per table, the keys and every column a value source reads: the example mapping', async () => {
    const { spec } = await loadMappingFile('mappings/example.ts');
    const columns = columnsToRead(spec);
    // Not deleted_at (raw SQL filter), updated_at (change cursor), the children's id (order) and created_at (change column).
    expect(sorted(columns.source)).toEqual(sorted(['id', 'email', 'username', 'first_name', 'last_name', 'job_title', 'phone', 'country', 'email_verified_at', 'marketing_opt_in', 'plan', 'created_at', 'eth_address']));
    expect(sorted(columns.children.wallets ?? [])).toEqual(sorted(['user_id', 'address', 'chain', 'wallet_name', 'provider']));
    expect(sorted(columns.children.identities ?? [])).toEqual(sorted(['user_id', 'provider', 'provider_uid', 'email', 'display_name', 'username', 'avatar_url']));
  });

  it('keeps columns read by conditions, templates and JSON paths; leaves out those only filtered or ordered on', () => {
    const spec = parseMapping({
      job: 'columns',
      source: {
        table: 'accounts',
        primaryKey: 'account_id',
        filter: { isNull: 'removed_at' },
        changeCursor: { column: 'touched_at' },
        children: { keys: { table: 'keys', foreignKey: 'account_id', orderBy: 'added_at desc', changeColumn: 'added_at', filter: { notNull: 'address' } } },
      },
      fields: {
        email: { when: { equals: { column: 'kind', value: 'person' } }, then: { column: 'mail' } },
        username: { template: '{handle}_{account_id}' },
        firstName: { column: 'profile.name.first' },
      },
      wallets: [{ from: 'keys', address: { column: 'address' }, chain: { constant: 'ETH' }, walletName: { constant: 'Key' }, walletProvider: { constant: 'browserExtension' } }],
    }, 'columns.json');
    const columns = columnsToRead(spec);
    expect(sorted(columns.source)).toEqual(sorted(['account_id', 'kind', 'mail', 'handle', 'profile']));
    expect(sorted(columns.children.keys ?? [])).toEqual(['account_id', 'address']);
  });

  it('reads the country column of e164 regionFrom, and the columns of additional addresses in the wallet record, a JSON array in it, or another child', () => {
    const spec = parseMapping({
      source: {
        table: 'members',
        primaryKey: 'id',
        children: { wallets: { table: 'member_wallets', foreignKey: 'member_id' }, extras: { table: 'member_extras', foreignKey: 'member_id' } },
      },
      fields: { phoneNumber: { column: 'phone', transforms: [{ e164: { regionFrom: 'home_country' } }] } },
      wallets: [{
        from: 'wallets', address: 'addr', chain: { constant: 'BTC' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' },
        additionalAddresses: [
          { from: 'wallet', address: 'ordinals_addr', type: { constant: 'ordinals' }, publicKey: 'ordinals_key' },
          { from: { json: 'more' }, address: 'a', type: 't' },
          { from: 'extras', address: 'extra_addr', type: { constant: 'payment' } },
        ],
      }],
    }, 'extras.json');
    const columns = columnsToRead(spec);
    expect(sorted(columns.source)).toEqual(sorted(['id', 'phone', 'home_country']));
    expect(sorted(columns.children.wallets ?? [])).toEqual(sorted(['member_id', 'addr', 'ordinals_addr', 'ordinals_key', 'more']));
    expect(sorted(columns.children.extras ?? [])).toEqual(sorted(['member_id', 'extra_addr']));
  });
});
