import { z } from 'zod';
import { userPayloadSchema } from '../contract/index.js';
import { columnRefSchema } from './column-path.js';
import { sourceSpecSchema, unknownChildMessage } from './source-spec.js';
import { phoneRegionSchema } from './transform-spec.js';
import { ON_INVALID_MODES, valueSourceSchema } from './value-source.js';
import type { ValueSource } from './value-source.js';

/** The scalar fields of the API's user object a mapping can fill (`metadata`, `wallets`, `oauthAccounts` have sections of their own). */
export const scalarFieldSchema = userPayloadSchema.omit({ metadata: true, wallets: true, oauthAccounts: true }).keyof();
export type ScalarField = z.infer<typeof scalarFieldSchema>;

/** Job names become file names (`checkpoints/<job>.db`), so they stay in a safe alphabet. */
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * `'row'` reads columns of the user row; any other name is a child declared in `source.children`;
 * `{ json: "col" }` / `{ json: "col.path" }` reads each element of a JSON array in the user row.
 */
const fromSchema = z.union(
  [
    z.string().min(1).describe('"row", or the name of a child in source.children.'),
    z.strictObject({ json: columnRefSchema }).describe('One record per element of the JSON array in this column (or JSON path) of the user row.'),
  ],
  { error: 'must be "row", the name of a child in source.children, or { json: "column.path" }' },
);
export type RuleFrom = z.infer<typeof fromSchema>;

const onInvalidSchema = z.enum(ON_INVALID_MODES, { error: `must be one of ${ON_INVALID_MODES.join(', ')}` });

/** A record (wallet, OAuth account) with a part that cannot be used: reject its user (the default), or drop just that record. */
const recordOnInvalid = onInvalidSchema
  .optional()
  .describe('A record whose address, chain, provider or other required part cannot be used: reject the user (default), or drop just this record.');

/**
 * Extra addresses of one wallet (`additionalWalletAddresses`: a BTC wallet's ordinals and payment
 * addresses): one per record of `from`, which is `"wallet"` (the wallet's own record, e.g. a
 * column of the wallet row), `{ json }` (each element of a JSON array in the wallet's record), or
 * `"row"` / a child's name as for the wallet itself. A null or empty address skips the record.
 */
export const additionalAddressRuleSchema = z.strictObject({
  from: z.union([z.literal('wallet'), fromSchema], { error: 'must be "wallet", "row", a child of source.children, or { json: "column.path" }' }),
  address: valueSourceSchema,
  type: valueSourceSchema,
  publicKey: valueSourceSchema.optional(),
});
export type AdditionalAddressRule = z.infer<typeof additionalAddressRuleSchema>;

/** One wallet per record: the user row itself, or each row of a child table. A null or empty address skips the wallet. */
export const walletRuleSchema = z.strictObject({
  from: fromSchema,
  address: valueSourceSchema,
  chain: valueSourceSchema,
  walletName: valueSourceSchema,
  walletProvider: valueSourceSchema,
  additionalAddresses: z.array(additionalAddressRuleSchema).optional().describe("The wallet's additionalWalletAddresses (BTC ordinals and payment addresses), one per record of `from`."),
  onInvalid: recordOnInvalid,
});
export type WalletRule = z.infer<typeof walletRuleSchema>;

/** One OAuth account per record; a null or empty accountId skips the account. `emails`/`photos` accept one string or a list. */
export const oauthRuleSchema = z.strictObject({
  from: fromSchema,
  provider: valueSourceSchema,
  accountId: valueSourceSchema,
  emails: valueSourceSchema.optional(),
  displayName: valueSourceSchema.optional(),
  username: valueSourceSchema.optional(),
  photos: valueSourceSchema.optional(),
  /** The provider's profile: must end as a JSON object (e.g. a JSONB column). */
  profile: valueSourceSchema.optional(),
  onInvalid: recordOnInvalid,
});
export type OauthRule = z.infer<typeof oauthRuleSchema>;

/** Mapping-wide settings used by transforms. */
const mappingOptionsSchema = z.strictObject({
  /** Default region for the `e164` transform, e.g. `US`: numbers without `+` are read as local to it. */
  phoneRegion: phoneRegionSchema.optional(),
  /**
   * What a value that cannot be used does when its source does not say (`onInvalid`): `drop` or
   * `reject` for every field and metadata key but `email`. Absent: the optional profile fields
   * (names, phone, country, job title, team, t-shirt size, alias, username, notification flags)
   * drop, the rest (email, emailVerifiedAt, metadata, ...) reject.
   */
  onInvalid: onInvalidSchema.optional(),
  /** Send EVM (`ETH`, `EVM`) wallet addresses in their EIP-55 checksum form. @default false */
  checksumEvmAddresses: z.boolean({ error: 'must be true or false' }).optional(),
});
export type MappingOptions = z.infer<typeof mappingOptionsSchema>;

/**
 * What to do with users of the source that share an email (ignoring case), a username, a wallet
 * address or an OAuth account, before Dynamic refuses them (see `src/duplicates`). Absent: all
 * are sent and Dynamic refuses all but the first.
 */
const duplicatesSpecSchema = z
  .strictObject({
    /** `rejectAllButFirst`: the first in key order is sent; `keepNewest`: the greatest `newestBy`; `merge`: the first carries every member's wallets and OAuth accounts. */
    policy: z.enum(['rejectAllButFirst', 'keepNewest', 'merge']).optional().describe('rejectAllButFirst, keepNewest (needs newestBy) or merge (wallets and OAuth accounts into the first).'),
    /** Column of the user row compared by `keepNewest` (greatest wins), e.g. `updated_at`. */
    newestBy: z.string().min(1, { error: 'must not be empty' }).optional().describe('keepNewest: the user-row column whose greatest value wins, e.g. updated_at.'),
    /**
     * Users who share a username (after slugging) with an earlier user of the source: `drop` sends
     * them without a username, `suffix` makes it unique (`alice_2`, within 20 characters, unlike
     * every username of the source), `reject` rejects them. Absent: `policy` decides, as for emails.
     */
    usernames: z.enum(['drop', 'suffix', 'reject']).optional().describe('Later users sharing a username: drop it, suffix it (alice_2) or reject the user; absent: `policy` decides.'),
  })
  .refine((spec) => spec.policy !== 'keepNewest' || spec.newestBy !== undefined, {
    path: ['newestBy'],
    error: 'is required with policy "keepNewest" (a column such as updated_at)',
  })
  .refine((spec) => spec.policy !== undefined || spec.usernames !== undefined, {
    path: ['policy'],
    error: 'is required unless usernames is given (rejectAllButFirst, keepNewest or merge)',
  });

/** A mapping document: where users come from, and how each part of the API's user object is built. */
export const mappingSpecSchema = z
  .strictObject({
    /** JSON Schema of the document, for editors (`dynamic-migrate schema`); ignored by the tool. */
    $schema: z.string().optional().describe('JSON Schema for editors; ignored.'),
    /** Default job name (checkpoint and reports are kept under it); `--job` overrides it. */
    job: z.string().regex(JOB_NAME, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' }).optional().describe('Default job name (checkpoints and reports are kept under it); --job overrides it.'),
    source: sourceSpecSchema.describe('Where the users are: table, primary key, filter and child tables.'),
    /** Metadata key that always receives the legacy primary key, so results can be matched back. @default 'legacyId' */
    legacyIdKey: z.string().min(1, { error: 'must not be empty' }).default('legacyId').describe('Metadata key that always receives the legacy primary key.'),
    /** Scalar API fields → value source. An unknown field name is a mapping error. */
    fields: z.partialRecord(scalarFieldSchema, valueSourceSchema).optional().describe("Scalar fields of Dynamic's user object, each from a value source."),
    /** Free-form metadata key → value source (the legacy id is added by itself). */
    metadata: z.record(z.string().min(1), valueSourceSchema).optional().describe('Free-form metadata key → value source (the legacy id is added by itself).'),
    wallets: z.array(walletRuleSchema).optional().describe('Wallet rules: one wallet per record of `from`; records without an address are skipped.'),
    oauthAccounts: z.array(oauthRuleSchema).optional().describe('OAuth account rules: one account per record of `from`; records without an accountId are skipped.'),
    options: mappingOptionsSchema.optional().describe('Mapping-wide settings: phoneRegion, onInvalid, checksumEvmAddresses.'),
    duplicates: duplicatesSpecSchema.optional().describe('Policy for users sharing an email, username, wallet or OAuth account: rejectAllButFirst, keepNewest or merge; usernames: drop, suffix or reject.'),
  })
  .superRefine((spec, ctx) => {
    const children = Object.keys(spec.source.children ?? {});
    const checkFrom = (section: 'wallets' | 'oauthAccounts', rules: readonly { from: RuleFrom }[] | undefined, within: (string | number)[] = []) =>
      rules?.forEach((rule, index) => {
        if (typeof rule.from !== 'string' || rule.from === 'row' || children.includes(rule.from)) return;
        ctx.addIssue({ code: 'custom', path: [section, ...within, index, 'from'], message: unknownChildMessage(rule.from, children, 'use "row" or a name from source.children') });
      });
    checkFrom('wallets', spec.wallets);
    checkFrom('oauthAccounts', spec.oauthAccounts);
    spec.wallets?.forEach((rule, index) => {
      // 'wallet' (the wallet's own record) is always known: checked as 'row' so the indexes stay the rule's.
      const extras = (rule.additionalAddresses ?? []).map((extra): { from: RuleFrom } => ({ from: extra.from === 'wallet' ? 'row' : extra.from }));
      checkFrom('wallets', extras, [index, 'additionalAddresses']);
    });
    // onInvalid and required where they would be silently ignored are mistakes: say where they belong.
    const sourcesOf = (section: string, map: Partial<Record<string, ValueSource>> | undefined) => Object.entries(map ?? {}).map(([key, source]) => [[section, key], source] as const);
    for (const [path, source] of [...sourcesOf('fields', spec.fields), ...sourcesOf('metadata', spec.metadata)]) {
      if (source?.required === true && source.onInvalid === 'drop') ctx.addIssue({ code: 'custom', path: [...path, 'onInvalid'], message: 'cannot be "drop" on a required value: required always rejects' });
    }
    const misplaced = (path: (string | number)[], source: ValueSource | undefined, where: string) => {
      if (source?.onInvalid !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'onInvalid'], message: `is not read here: ${where}` });
      if (source?.required === true) ctx.addIssue({ code: 'custom', path: [...path, 'required'], message: 'is only read on fields and metadata' });
    };
    // Inside firstOf / then / else they are never read: the outer source decides.
    const nested = (path: (string | number)[], source: ValueSource | undefined): void => {
      if (!source) return;
      const inner: [(string | number)[], ValueSource][] =
        'firstOf' in source ? source.firstOf.map((candidate, at) => [[...path, 'firstOf', at], candidate]) :
        'when' in source ? [[[...path, 'then'], source.then], ...(source.else ? [[[...path, 'else'], source.else] as [(string | number)[], ValueSource]] : [])] : [];
      for (const [at, candidate] of inner) {
        misplaced(at, candidate, 'put onInvalid on the outer source');
        nested(at, candidate);
      }
    };
    for (const [path, source] of [...sourcesOf('fields', spec.fields), ...sourcesOf('metadata', spec.metadata)]) nested([...path], source);
    /** A part of a wallet or an account: `onInvalid` on it is read only where `where` is undefined (an account's optional parts); `required` never. */
    const part = (path: (string | number)[], source: ValueSource | undefined, where?: string) => {
      if (where !== undefined) misplaced(path, source, where);
      else if (source?.required === true) ctx.addIssue({ code: 'custom', path: [...path, 'required'], message: 'is only read on fields and metadata' });
      nested(path, source);
    };
    spec.wallets?.forEach((rule, index) => {
      for (const name of ['address', 'chain', 'walletName', 'walletProvider'] as const) part(['wallets', index, name], rule[name], 'set onInvalid on the wallet rule, which drops or keeps the whole wallet');
      rule.additionalAddresses?.forEach((extra, at) => {
        for (const name of ['address', 'type', 'publicKey'] as const) part(['wallets', index, 'additionalAddresses', at, name], extra[name], 'an additional address follows options.onInvalid (dropped by default)');
      });
    });
    spec.oauthAccounts?.forEach((rule, index) => {
      for (const name of ['provider', 'accountId'] as const) part(['oauthAccounts', index, name], rule[name], 'set onInvalid on the OAuth rule, which drops or keeps the whole account');
      for (const name of ['emails', 'displayName', 'username', 'photos', 'profile'] as const) part(['oauthAccounts', index, name], rule[name]);
    });
    if (spec.metadata && Object.hasOwn(spec.metadata, spec.legacyIdKey)) {
      ctx.addIssue({ code: 'custom', path: ['metadata', spec.legacyIdKey], message: `is reserved for the legacy id (legacyIdKey "${spec.legacyIdKey}")` });
    }
  });

/** A parsed mapping: shorthands normalised and defaults filled in. */
export type MappingSpec = z.output<typeof mappingSpecSchema>;
/** A mapping as written in `mappings/*.ts`. */
export type MappingSpecInput = z.input<typeof mappingSpecSchema>;

/**
 * Identity function that types a mapping module's default export, so editors autocomplete field
 * names and flag typos: `export default defineMapping({ source: {...}, fields: {...} })`.
 */
export function defineMapping(spec: MappingSpecInput): MappingSpecInput {
  return spec;
}

/**
 * The JSON Schema (draft 2020-12) of a mapping document as written (the input side: string
 * shorthands allowed, defaults optional), for editors: point a JSON mapping's `"$schema"` at the
 * output of `dynamic-migrate schema`. Checks zod cannot express in JSON Schema (a rule's `from`
 * naming a declared child, template syntax, known phone regions) are left to `parseMapping`.
 */
export function mappingJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(mappingSpecSchema, { io: 'input', unrepresentable: 'any', cycles: 'ref', reused: 'inline' });
  return {
    ...schema,
    title: 'dynamic-migrate mapping',
    description: 'Where legacy users come from and how each part of the Dynamic user object is built from them.',
  };
}
