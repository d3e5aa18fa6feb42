import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { columnRefSchema } from './column-path.js';

/** Every transform by name, parameterised ones included (`truncate` is only written `{ truncate: N }`). */
export const TRANSFORM_NAMES = [
  'trim', 'lower', 'upper', 'nullIfEmpty', 'isoTimestamp', 'string', 'boolean', 'json',
  'truncate', 'firstName', 'lastName', 'e164', 'countryCode', 'stripForbidden', 'slugUsername',
] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];

/** Transforms written as a bare name: all but `truncate`, which needs its length. */
const BARE_TRANSFORM_NAMES = TRANSFORM_NAMES.filter((name) => name !== 'truncate') as Exclude<TransformName, 'truncate'>[];
export type BareTransformName = Exclude<TransformName, 'truncate'>;

/** One step of a value source's `transforms`: a name, or a one-key object for parameterised ones. */
export type TransformSpec = BareTransformName | { truncate: number } | { e164: E164Options };

/** Where `e164` finds the region of a number written without `+`: a column of the row first, then `region`, then `options.phoneRegion`. */
export interface E164Options {
  /** A column or JSON path of the same record holding the user's country (alpha-2, alpha-3 or English name, read as `countryCode` reads it). */
  regionFrom?: string;
  region?: string;
}

const bareName = z.enum(BARE_TRANSFORM_NAMES as [BareTransformName, ...BareTransformName[]], {
  error: (issue) =>
    issue.input === 'truncate'
      ? 'truncate needs a length: write { truncate: N }'
      : `unknown transform ${JSON.stringify(issue.input)} (known: ${BARE_TRANSFORM_NAMES.join(', ')}, { truncate: N }, { e164: { region, regionFrom } })`,
});

/** ISO 3166-1 alpha-2 region libphonenumber knows, e.g. `US`, `GB`. */
export const phoneRegionSchema = z
  .string({ error: 'must be a two-letter region code such as "US"' })
  .refine((region) => /^[A-Z]{2}$/.test(region) && isSupportedCountry(region), { error: 'must be an upper-case region code libphonenumber knows, such as "US" or "GB"' })
  .describe('ISO 3166-1 alpha-2 region for phone numbers written without a country code, e.g. "US".');

export const transformSpecSchema = z
  .union(
    [
      bareName,
      z.strictObject({
        truncate: z.int({ error: 'must be a whole number of characters' }).positive({ error: 'must be at least 1' }),
      }).describe('Cut text to N code points (a warning "truncated" when it cuts).'),
      z
        .strictObject({
          e164: z
            .strictObject({
              regionFrom: columnRefSchema.optional().describe("A column (or JSON path) of the record with the user's country: its region reads numbers without \"+\"."),
              region: phoneRegionSchema.optional(),
            })
            .refine((options) => options.region !== undefined || options.regionFrom !== undefined, { error: 'needs region ("US") or regionFrom (a country column)' }),
        })
        .describe('Phone number to E.164, reading numbers without "+" in the region of regionFrom\'s column, else region, else options.phoneRegion.'),
    ],
    { error: 'is not a transform: expected a name such as "trim", { truncate: N } or { e164: { region: "US" } }' },
  )
  .describe('A transform: a name, or { truncate: N } / { e164: { region } }.');

/** The name of a transform, parameters left out: `{ truncate: 20 }` → `truncate`. */
export function transformNameOf(transform: TransformSpec): TransformName {
  if (typeof transform === 'string') return transform;
  return 'truncate' in transform ? 'truncate' : 'e164';
}
