import { z } from 'zod';
import { conditionSchema } from './condition.js';
import { sourceFilterSchema } from './source-filter.js';
import { identifier, tableName } from './sql-names.js';

/** `created_at desc, id`: comma-separated columns, each optionally `asc`/`desc` (the extractor's format). */
const ORDER_BY = /^\s*[A-Za-z_][A-Za-z0-9_$]*(\s+(asc|desc))?(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*(\s+(asc|desc))?)*\s*$/i;

/** A child table read once per page with `WHERE <foreignKey> IN (<page keys>)`. */
const childSpecSchema = z.strictObject({
  /** Table holding the child rows, optionally schema-qualified. */
  table: tableName.describe('Table holding the child rows, optionally schema-qualified.'),
  /** Column of the child table that references the parent's primary key. */
  foreignKey: identifier('column name').describe("Column of the child table that references the user's primary key."),
  /** Order of one user's child rows: `"created_at desc, id"`. Unspecified without it. */
  orderBy: z.string().regex(ORDER_BY, { error: 'must be column names separated by commas, each optionally followed by asc or desc' }).optional().describe('Order of one user\'s child rows: "created_at desc, id".'),
  /** Which child rows are read: declarative (`{ isNull }`, `{ equals }`, ...) or `{ sql }`. */
  filter: sourceFilterSchema.optional(),
  /**
   * Timestamp column of the child table that moves when a child row is added or changed
   * (`created_at` for append-only tables). Incremental runs re-send the users whose child rows
   * changed since the last run. Without it, a child change alone does not re-send its user.
   */
  changeColumn: identifier('column name').optional().describe('Timestamp column of the child table that moves when a child row is added or changed; incremental runs re-send users whose child rows changed.'),
});

/** How many users one lookup row may belong to: one (`one-to-one`), or several (`many-to-one`). */
const LOOKUP_RELATIONS = ['one-to-one', 'many-to-one'] as const;

/**
 * A related table with at most one row per user, read once per page with
 * `WHERE <key> = ANY(<the page's userKey values>)`: a profile beside the user (`user_profiles.user_id
 * = users.id`), or a row the user points at (`accounts.id = users.account_id`). Its columns read as
 * `<name>.<column>` wherever a column can be used; no row gives nulls.
 */
const lookupSpecSchema = z.strictObject({
  /** The related table, optionally schema-qualified. */
  table: tableName.describe('The related table, optionally schema-qualified.'),
  /** The related table's column matched against the user row's `userKey`. */
  key: identifier('column name').describe("The related table's column that equals the user's userKey: user_id of user_profiles, id of accounts."),
  /** The user row's column it is matched with. @default the primary key */
  userKey: identifier('column name').optional().describe("The user row's column the key equals (default: the primary key), e.g. account_id."),
  /**
   * `one-to-one` (default): one row per user and one user per row; `many-to-one`: users may share
   * a row (an organisation). Either way a user with several rows has a mapping problem, as has,
   * under `one-to-one`, a user whose row another user of the source shares.
   */
  relation: z.enum(LOOKUP_RELATIONS, { error: `must be one of ${LOOKUP_RELATIONS.join(', ')}` }).optional().describe('one-to-one (default): one row per user and one user per row; many-to-one: users may share a row.'),
  /** Which rows of the related table count (e.g. `{ isNull: 'deleted_at' }`). */
  filter: sourceFilterSchema.optional(),
  /** Timestamp column that moves when a row changes: incremental runs re-send the users of changed rows. */
  changeColumn: identifier('column name').optional().describe('Timestamp column of the related table that moves when a row changes; incremental runs re-send the users of changed rows.'),
});

/** The user row's column a lookup's key equals: its `userKey`, or the primary key. */
export function userKeyOf(source: { primaryKey: string }, lookup: { userKey?: string | undefined }): string {
  return lookup.userKey ?? source.primaryKey;
}

/**
 * One row chosen among a user's rows of a child (`the user_emails row with primary = true`): the
 * first, in the child's `orderBy`, that `where` holds for; or, with `all`, every such row as a list.
 * Its columns read as `<name>.<column>`; the child's rows all stay available to wallet and OAuth rules.
 */
const pickSpecSchema = z.strictObject({
  /** The child (a name of `source.children`) to choose from. */
  from: identifier('child name').describe('The child, a name of source.children, to choose a row from.'),
  /** The rows that qualify; absent: every row. */
  where: conditionSchema.optional().describe('The rows that qualify (absent: all): { equals: { column: "primary", value: true } }.'),
  /**
   * At most one row may qualify: a user with several has a mapping problem instead of the first.
   * Several rows and no `orderBy` on the child are a problem either way: nothing says which.
   */
  unique: z.boolean({ error: 'must be true or false' }).optional().describe('At most one row may qualify; several are a mapping problem (default: the first in the child\'s orderBy).'),
  /** Every qualifying row, as a list: `<name>.<column>` reads the list of that column's values (the secondary emails). */
  all: z.boolean({ error: 'must be true or false' }).optional().describe('Every qualifying row, as a list: "<name>.<column>" reads the list of their values (e.g. the secondary emails).'),
}).refine((pick) => !(pick.all === true && pick.unique === true), { path: ['all'], error: 'cannot be combined with unique: a list takes every qualifying row' });

/**
 * The lookups and picks named like a column of the user table (`isColumn`): each would hide that
 * column, since its record is read under its name. What `check` reports and `run` refuses.
 */
export function hiddenColumnNames(source: { lookups?: Record<string, unknown> | undefined; picks?: Record<string, unknown> | undefined }, isColumn: (name: string) => boolean): Array<{ section: 'lookups' | 'picks'; name: string }> {
  return (['lookups', 'picks'] as const).flatMap((section) => Object.keys(source[section] ?? {}).filter(isColumn).map((name) => ({ section, name })));
}

/** `unknown child "x"` and the children there are: for a rule's or a pick's `from`. */
export function unknownChildMessage(name: string, children: readonly string[], hint = ''): string {
  const known = children.length > 0 ? `; declared children: ${children.join(', ')}` : '; no children are declared';
  return `unknown child ${JSON.stringify(name)}${hint ? ` (${hint}${known})` : known}`;
}

/** Lookup and pick names: an identifier, not `row`; they read like a column (`profile.bio`). */
const relatedName = (what: string) => identifier(what).refine((name) => name !== 'row', { error: '"row" is reserved for the user row itself' });

/** The mapping's `source` section: what the extractor needs to read users. */
export const sourceSpecSchema = z.strictObject({
  /** The users table, optionally schema-qualified: `users`, `auth.users`. */
  table: tableName.describe('The users table, optionally schema-qualified: "users", "auth.users".'),
  /** Single-column primary key; keyset pagination walks it in ascending order. */
  primaryKey: identifier('column name').describe('Single-column primary key; rows are read in its order.'),
  /** Rows that must not be migrated are filtered out here (e.g. `{ isNull: 'deleted_at' }`). */
  filter: sourceFilterSchema.optional(),
  /**
   * The change cursor of incremental runs: a `timestamp`/`timestamptz` column the application sets
   * on every insert and update (`updated_at`). After the first full run, each run reads the rows
   * whose `(column, primaryKey)` is past the last settled cursor. An index on `(column, primaryKey)`
   * keeps that read cheap. Without it, reruns only pick up rows with a larger primary key.
   */
  changeCursor: z
    .strictObject({
      /** The timestamp column, e.g. `updated_at`. */
      column: identifier('column name').describe('Timestamp column set on every insert and update, e.g. "updated_at".'),
    })
    .optional()
    .describe('Change cursor of incremental reruns: a timestamp column set on every insert and update.'),
  /** Child tables by name; wallet and OAuth rules refer to them with `from: '<name>'`. */
  children: z
    .record(
      identifier('child name').refine((name) => name !== 'row', { error: '"row" is reserved for the user row itself' }),
      childSpecSchema,
    )
    .optional()
    .describe('Child tables (1:N) by name; wallet and OAuth rules read them with from: "<name>".'),
  /** Related tables with one row per user (1:1, N:1) by name; their columns read as `<name>.<column>`. */
  lookups: z
    .record(relatedName('lookup name'), lookupSpecSchema)
    .optional()
    .describe('Related tables with at most one row per user (1:1, N:1) by name; their columns read as "<name>.<column>".'),
  /** One row chosen from a child, by name; its columns read as `<name>.<column>`. */
  picks: z
    .record(relatedName('pick name'), pickSpecSchema)
    .optional()
    .describe('One row chosen from a child by a condition, by name; its columns read as "<name>.<column>".'),
}).superRefine((source, ctx) => {
  const children = Object.keys(source.children ?? {});
  const seen = new Map<string, string>(children.map((name) => [name, 'children']));
  for (const section of ['lookups', 'picks'] as const) {
    for (const name of Object.keys(source[section] ?? {})) {
      const earlier = seen.get(name);
      if (earlier) ctx.addIssue({ code: 'custom', path: [section, name], message: `is also a name in ${earlier}: children, lookups and picks need names of their own` });
      seen.set(name, section);
    }
  }
  for (const [name, pick] of Object.entries(source.picks ?? {})) {
    if (!children.includes(pick.from)) ctx.addIssue({ code: 'custom', path: ['picks', name, 'from'], message: unknownChildMessage(pick.from, children) });
  }
});

/**
 * The columns a query selects: those the mapping uses that the table has, set by the extractor's
 * `withReadColumns` and never written in a mapping file; absent means `*`.
 */
interface ReadColumns {
  readColumns?: readonly string[];
}

/** One child table (wallets, identities, ...) joined to the user by `foreignKey`. */
export type SourceChildSpec = z.infer<typeof childSpecSchema> & ReadColumns;

/** One related table with at most one row per user (a profile, an account), by `key = userKey`. */
export type SourceLookupSpec = z.infer<typeof lookupSpecSchema> & ReadColumns;

/**
 * The `source` section as the extractor reads it: as validated, plus per table the columns worth
 * reading. A parsed section is one as it stands (it reads every column).
 */
export type SourceSpec = Omit<z.infer<typeof sourceSpecSchema>, 'children' | 'lookups'> & ReadColumns & {
  children?: Record<string, SourceChildSpec>;
  lookups?: Record<string, SourceLookupSpec>;
};
