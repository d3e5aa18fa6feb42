import { describe, expect, it } from 'vitest';
import { checkExitCode, columnRefsToCheck, compareRefs, tablesOf, type ColumnRef } from '../../../src/check/index.js';
import { spec } from '../mapping/fixtures.js';
import { demoSnapshot } from './schema-fixtures.js';

const ref = (column: string, extra: Partial<ColumnRef> = {}): ColumnRef => ({
  table: 'users', record: 'source', column, jsonPath: [], transforms: [], usedBy: `fields.${column}`, ...extra,
});

describe('compareRefs', () => {
  it('finds nothing wrong with a mapping that fits the schema', () => {
    const mapping = spec({
      fields: { email: { column: 'email', transforms: ['trim', 'lower'] }, emailVerifiedAt: { column: 'email_verified_at', transforms: ['isoTimestamp'] } },
      wallets: [{ from: 'wallets', address: 'address', chain: 'chain', walletName: 'wallet_name', walletProvider: { constant: 'browserExtension' } }],
    });
    expect(compareRefs(tablesOf(mapping), columnRefsToCheck(mapping), demoSnapshot())).toEqual([]);
  });

  it('reports every missing column once, with all its uses and a close name', () => {
    const mapping = spec({
      fields: { email: 'emial', firstName: 'frist_name', lastName: 'nickname' },
      metadata: { contact: 'emial' },
      wallets: [{ from: 'wallets', address: 'adress', chain: 'chain', walletName: 'wallet_name', walletProvider: 'provider' }],
    });
    const problems = compareRefs(tablesOf(mapping), columnRefsToCheck(mapping), demoSnapshot());
    expect(problems).toHaveLength(4);
    expect(problems.every((problem) => problem.severity === 'error' && problem.kind === 'missing_column')).toBe(true);
    expect(problems.find((problem) => problem.column === 'emial')).toMatchObject({
      table: 'users', usedBy: ['fields.email', 'metadata.contact'], suggestion: 'email',
      message: 'users.emial: no such column (used by fields.email, metadata.contact); did you mean "email"?',
    });
    expect(problems.find((problem) => problem.column === 'frist_name')?.suggestion).toBe('first_name');
    expect(problems.find((problem) => problem.column === 'nickname')?.suggestion).toBeUndefined();
    expect(problems.find((problem) => problem.column === 'adress')).toMatchObject({ table: 'user_wallets', usedBy: ['wallets[0].address'], suggestion: 'address' });
  });

  it('reports a missing table once (with a close name) and not each of its columns', () => {
    const mapping = spec({ wallets: [{ from: 'wallets', address: 'address', chain: 'chain', walletName: 'wallet_name', walletProvider: 'provider' }] });
    const snapshot = demoSnapshot({ user_wallets: null });
    const problems = compareRefs(tablesOf(mapping), columnRefsToCheck(mapping), { ...snapshot, knownTables: [...snapshot.knownTables, 'user_wallet'] });
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'missing_table', table: 'user_wallets', usedBy: ['source.children.wallets.table'], suggestion: 'user_wallet' }),
    ]);
  });

  it('checks the keys the extractor uses: primary key, foreign key, child order', () => {
    const mapping = spec({ source: { table: 'users', primaryKey: 'user_id', children: { wallets: { table: 'user_wallets', foreignKey: 'owner_id', orderBy: 'created desc, id' } } } });
    const problems = compareRefs(tablesOf(mapping), columnRefsToCheck(mapping), demoSnapshot());
    expect(problems.map((problem) => problem.usedBy[0])).toEqual(['source.primaryKey', 'children.wallets.foreignKey', 'children.wallets.orderBy']);
    expect(problems[2]).toMatchObject({ column: 'created', suggestion: 'created_at' });
  });

  it('flags a transform that cannot take the column type, naming column, type and use', () => {
    const mapping = spec({ fields: { newsletterNotification: { column: 'created_at', transforms: ['boolean'] } } });
    const problems = compareRefs(tablesOf(mapping), columnRefsToCheck(mapping), demoSnapshot());
    expect(problems).toEqual([
      expect.objectContaining({ severity: 'error', kind: 'incompatible_type', column: 'created_at', usedBy: ['fields.newsletterNotification'] }),
    ]);
    expect(problems[0]?.message).toBe(
      'users.created_at (timestamp with time zone): transform "boolean" does not accept timestamp values (it accepts boolean, text, integer) (used by fields.newsletterNotification)',
    );
  });

  it('accepts anything on enums and unknown types, and a chain that converts first', () => {
    const refs = [ref('status', { transforms: ['lower'] }), ref('id', { transforms: ['string', 'trim'] }), ref('marketing_opt_in', { transforms: ['boolean'] })];
    expect(compareRefs([], refs, demoSnapshot())).toEqual([]);
  });

  it('wants json or jsonb under a JSON path: text is a warning, anything else an error', () => {
    const refs = [
      ref('profile', { jsonPath: ['full_name'], transforms: ['trim'], usedBy: 'fields.firstName' }),
      ref('profile_text', { jsonPath: ['full_name'], usedBy: 'fields.lastName' }),
      ref('created_at', { jsonPath: ['x'], usedBy: 'metadata.x' }),
    ];
    const problems = compareRefs([], refs, demoSnapshot());
    expect(problems.map((problem) => [problem.severity, problem.kind, problem.column])).toEqual([
      ['warning', 'json_in_text', 'profile_text'],
      ['error', 'incompatible_type', 'created_at'],
    ]);
    expect(problems[0]?.message).toContain('JSON path "profile_text.full_name"');
  });
});

describe('compareRefs on the mapping language', () => {
  it('follows JSON paths, templates, firstOf, conditions and JSON-array rules to their columns', () => {
    const mapping = spec({
      fields: {
        firstName: { column: 'profile.full_name', transforms: ['firstName'] },
        lastName: { column: 'profile_text.full_name', transforms: ['lastName'] },
        jobTitle: { template: '{job_title} at {compnay}' },
        email: { firstOf: ['emial', { column: 'email', transforms: ['lower'] }] },
        username: { when: { notNull: 'nick' }, then: 'username' },
      },
      wallets: [{ from: { json: 'created_at' }, address: 'address', chain: { constant: 'ETH' }, walletName: { constant: 'W' }, walletProvider: { constant: 'browserExtension' } }],
    });
    const problems = compareRefs(tablesOf(mapping), columnRefsToCheck(mapping), demoSnapshot());
    expect(problems.map((problem) => [problem.severity, problem.kind, problem.column, problem.usedBy.join(' ')])).toEqual([
      ['warning', 'json_in_text', 'profile_text', 'fields.lastName'],
      ['error', 'incompatible_type', 'created_at', 'wallets[0].address'],
      ['error', 'missing_column', 'compnay', 'fields.jobTitle.template'],
      ['error', 'missing_column', 'emial', 'fields.email.firstOf[0]'],
      ['error', 'missing_column', 'nick', 'fields.username.when'],
    ]);
  });
});

describe('checkExitCode', () => {
  const sample = (rejected: number) => ({ rejected }) as Parameters<typeof checkExitCode>[1];
  const problem = (severity: 'error' | 'warning') => ({ severity, kind: 'missing_column' as const, usedBy: [], message: '' });

  it('is 2 on any structural error, else 3 when sampled rows are rejected, else 0', () => {
    expect(checkExitCode([problem('error')], null)).toBe(2);
    expect(checkExitCode([problem('warning')], sample(0))).toBe(0);
    expect(checkExitCode([problem('warning')], sample(2))).toBe(3);
    expect(checkExitCode([], null)).toBe(0);
  });
});
