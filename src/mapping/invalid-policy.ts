import type { MappingSpec } from './mapping-spec.js';
import type { OnInvalid, ValueSource } from './value-source.js';

/**
 * The profile fields a data owner would rather lose than lose the user over: a bad phone number
 * or country costs that field, counted, not the person. `email` (how the user signs in), dates
 * that grant trust (`emailVerifiedAt`), consent, the legacy wallet fields and `metadata` reject
 * unless the mapping says otherwise.
 */
const DROPPED_BY_DEFAULT: ReadonlySet<string> = new Set([
  'alias', 'firstName', 'lastName', 'jobTitle', 'phoneNumber', 'country', 'team', 'tShirtSize', 'username',
  'emailNotification', 'discordNotification', 'newsletterNotification',
]);

/** The parts of a wallet or OAuth account without which the record is not one: their failure is the record's. */
const RECORD_PARTS: ReadonlySet<string> = new Set(['publicWalletAddress', 'chain', 'walletName', 'walletProvider', 'provider', 'accountId']);

/** Rules that are the mapping's own mistake or the mapper's, never a bad value: they always reject. */
const ALWAYS_REJECT: ReadonlySet<string> = new Set(['missing_column', 'internal', 'unknown_field']);

/** What fails for a wallet or OAuth account of one rule: the record (`record`), or one optional part (`parts`). */
export interface ItemPolicy {
  record: OnInvalid;
  parts: Readonly<Record<string, OnInvalid>>;
  /** Optional parts the rule does not name. */
  otherParts: OnInvalid;
}

/** The policies of one mapping, resolved once: see {@link compileInvalidPolicy}. */
export interface InvalidPolicy {
  /** Per field (`phoneNumber`) and metadata key (`metadata.plan`). */
  fields: ReadonlyMap<string, OnInvalid>;
  /** Fields and metadata keys marked `required`: the user is rejected without a value. */
  required: readonly string[];
  wallets: readonly ItemPolicy[];
  oauthAccounts: readonly ItemPolicy[];
}

/**
 * Resolves every field's policy for values that cannot be used: the source's own `onInvalid`;
 * else `reject` when it is `required`; else the mapping's `options.onInvalid` (but for `email`,
 * which rejects unless its own source says `drop`); else the default above. A wallet or OAuth
 * account rejects its user unless its rule says `drop` (then only that record goes); an OAuth
 * account's optional parts and a wallet's additional addresses follow the mapping-wide default.
 */
export function compileInvalidPolicy(spec: MappingSpec): InvalidPolicy {
  const mappingWide = spec.options?.onInvalid;
  const fields = new Map<string, OnInvalid>();
  const required: string[] = [];
  const resolve = (field: string, source: ValueSource, fallback: OnInvalid) => {
    if (source.required === true) required.push(field);
    // required wins: the mapping refuses `required` beside `onInvalid: 'drop'` (see mapping-spec).
    fields.set(field, source.required === true ? 'reject' : (source.onInvalid ?? fallback));
  };
  for (const [field, source] of Object.entries(spec.fields ?? {})) {
    if (!source) continue;
    const fallback = field === 'email' ? 'reject' : (mappingWide ?? (DROPPED_BY_DEFAULT.has(field) ? 'drop' : 'reject'));
    resolve(field, source, fallback);
  }
  for (const [key, source] of Object.entries(spec.metadata ?? {})) resolve(`metadata.${key}`, source, mappingWide ?? 'reject');

  const optional = mappingWide ?? 'drop';
  const itemPolicy = (rule: { onInvalid?: OnInvalid | undefined }, parts: Record<string, ValueSource | undefined>): ItemPolicy => ({
    record: rule.onInvalid ?? 'reject',
    parts: Object.fromEntries(Object.entries(parts).flatMap(([part, source]) => (source ? [[part, source.onInvalid ?? optional]] : []))),
    otherParts: optional,
  });
  return {
    fields,
    required,
    wallets: (spec.wallets ?? []).map((rule) => itemPolicy(rule, {})),
    oauthAccounts: (spec.oauthAccounts ?? []).map((rule) =>
      itemPolicy(rule, { emails: rule.emails, displayName: rule.displayName, username: rule.username, photos: rule.photos, profile: rule.profile }),
    ),
  };
}

/** What to leave out so that a failed value no longer sinks its user. */
export type DropTarget =
  | { kind: 'field'; key: string }
  | { kind: 'metadata'; key: string }
  | { kind: 'item'; list: 'wallets' | 'oauthAccounts'; index: number }
  | { kind: 'part'; list: 'wallets' | 'oauthAccounts'; index: number; part: string; element?: number }
  /** An additional-address rule whose records could not be read (no JSON array): it added nothing, so nothing goes. */
  | { kind: 'none' };

const ITEM_PATH = /^(wallets|oauthAccounts)\[(\d+)\](?:\.([A-Za-z]+)(?:\[(\d+)\])?)?/;

/**
 * Where a failure at `field` (`phoneNumber`, `metadata.plan`, `wallets[1].chain`,
 * `oauthAccounts[0].photos[2]`) can be dropped, under the policy; undefined when it rejects the
 * user. `itemRules` gives, per list, the rule index that built each item.
 */
export function dropTargetOf(
  field: string,
  rule: string,
  policy: InvalidPolicy,
  itemRules: Readonly<Record<'wallets' | 'oauthAccounts', readonly number[]>>,
): DropTarget | undefined {
  if (ALWAYS_REJECT.has(rule)) return undefined;
  const item = ITEM_PATH.exec(field);
  if (item) {
    const list = item[1] as 'wallets' | 'oauthAccounts';
    const index = Number(item[2]);
    const part = item[3];
    const ruleIndex = itemRules[list][index];
    const itemPolicy = ruleIndex === undefined ? undefined : policy[list][ruleIndex];
    if (!itemPolicy) return undefined;
    if (part === undefined || RECORD_PARTS.has(part)) return itemPolicy.record === 'drop' ? { kind: 'item', list, index } : undefined;
    const partPolicy = itemPolicy.parts[part] ?? itemPolicy.otherParts;
    if (partPolicy !== 'drop') return undefined;
    // The records of one additional-address rule could not be read: the other rules' addresses stay.
    if (part === 'additionalWalletAddresses' && item[4] === undefined && rule === 'type') return { kind: 'none' };
    // An additional address is dropped alone; anything else inside a part drops the part.
    const element = part === 'additionalWalletAddresses' && item[4] !== undefined ? Number(item[4]) : undefined;
    return element === undefined ? { kind: 'part', list, index, part } : { kind: 'part', list, index, part, element };
  }
  if (policy.fields.get(field) !== 'drop') return undefined;
  return field.startsWith('metadata.') ? { kind: 'metadata', key: field.slice('metadata.'.length) } : { kind: 'field', key: field };
}

/**
 * Leaves the targets out of the payload, in place: fields and metadata keys deleted, parts
 * deleted (an additional address filtered out), items filtered out of their lists (a list left
 * empty is removed).
 */
export function dropTargets(payload: Record<string, unknown>, targets: readonly DropTarget[]): void {
  const goneItems = { wallets: new Set<number>(), oauthAccounts: new Set<number>() };
  // Elements of one part, filtered together so one drop does not shift the next one's index.
  const goneElements = new Map<unknown[], Set<number>>();
  for (const target of targets) {
    if (target.kind === 'field') delete payload[target.key];
    else if (target.kind === 'metadata') delete (payload.metadata as Record<string, unknown> | undefined)?.[target.key];
    else if (target.kind === 'item') goneItems[target.list].add(target.index);
    else if (target.kind === 'part') {
      const item = (payload[target.list] as Record<string, unknown>[] | undefined)?.[target.index];
      const value = item?.[target.part];
      if (target.element !== undefined && Array.isArray(value)) goneElements.set(value, (goneElements.get(value) ?? new Set()).add(target.element));
      else if (item) delete item[target.part];
    }
  }
  for (const list of ['wallets', 'oauthAccounts'] as const) {
    for (const item of (payload[list] as Record<string, unknown>[] | undefined) ?? []) {
      for (const [part, value] of Object.entries(item)) {
        const gone = Array.isArray(value) ? goneElements.get(value) : undefined;
        if (!gone) continue;
        const kept = (value as unknown[]).filter((_, index) => !gone.has(index));
        if (kept.length > 0) item[part] = kept;
        else delete item[part];
      }
    }
    const items = payload[list] as unknown[] | undefined;
    if (!items || goneItems[list].size === 0) continue;
    const kept = items.filter((_, index) => !goneItems[list].has(index));
    if (kept.length > 0) payload[list] = kept;
    else delete payload[list];
  }
}
