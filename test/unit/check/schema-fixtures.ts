import type { IntrospectedColumn, SchemaSnapshot } from '../../../src/check/index.js';

const col = (name: string, dataType: string, udtName: string): IntrospectedColumn => ({ name, dataType, udtName });
const text = (name: string) => col(name, 'text', 'text');
const timestamptz = (name: string) => col(name, 'timestamp with time zone', 'timestamptz');

/** The demo schema of DESIGN.md, as `introspectSchema` would return it. */
export function demoSnapshot(overrides: Record<string, IntrospectedColumn[] | null> = {}): SchemaSnapshot {
  const tables: Record<string, IntrospectedColumn[] | null> = {
    users: [
      col('id', 'bigint', 'int8'), text('email'), text('username'), text('first_name'), text('last_name'), text('country'),
      text('phone'), text('job_title'), timestamptz('email_verified_at'), col('marketing_opt_in', 'boolean', 'bool'),
      text('plan'), text('eth_address'), timestamptz('created_at'), timestamptz('updated_at'), timestamptz('deleted_at'),
      col('profile', 'jsonb', 'jsonb'), text('profile_text'), col('tags', 'ARRAY', '_text'), col('status', 'USER-DEFINED', 'user_status'),
    ],
    user_wallets: [col('id', 'bigint', 'int8'), col('user_id', 'bigint', 'int8'), text('chain'), text('address'), text('wallet_name'), text('provider'), timestamptz('created_at')],
    user_identities: [col('id', 'bigint', 'int8'), col('user_id', 'bigint', 'int8'), text('provider'), text('provider_uid'), text('email')],
    ...overrides,
  };
  return {
    tables: new Map(Object.entries(tables).map(([name, columns]) => [name, columns && { resolved: `public.${name}`, columns }])),
    knownTables: Object.keys(tables).filter((name) => tables[name] !== null),
  };
}
