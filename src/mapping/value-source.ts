import { z } from 'zod';
import { columnRefSchema } from './column-path.js';
import { conditionSchema } from './condition.js';
import type { Condition, ConditionInput } from './condition.js';
import { parseTemplate } from './template.js';
import type { JsonValue } from './to-json-value.js';
import { transformSpecSchema } from './transform-spec.js';
import type { TransformSpec } from './transform-spec.js';

/** What a value-mapped source does with a value that has no entry in its `map`. */
export const UNMAPPED_MODES = ['keep', 'null', 'reject'] as const;
export type UnmappedMode = (typeof UNMAPPED_MODES)[number];

/**
 * What a value that cannot be used does to its user: `reject` the row, or `drop` the value (the
 * field, or the one wallet / OAuth account) and send the user without it, counted in the report.
 * "Cannot be used": a transform cannot apply, `unmapped: 'reject'` meets an unmapped value, or the
 * API's rule for the field fails.
 */
export const ON_INVALID_MODES = ['reject', 'drop'] as const;
export type OnInvalid = (typeof ON_INVALID_MODES)[number];

/** What every value source may add after its value is produced, applied in this order. */
export interface ValueShaping {
  /** Transforms applied in order, after SQL values are turned into JSON (Date → ISO text). */
  transforms?: TransformSpec[];
  /** Value map applied after the transforms, keyed by the value as text: `{ ethereum: 'ETH' }`. */
  map?: Record<string, JsonValue>;
  /** A value missing from `map`: keep it as is, make it null, or reject the row. @default 'keep' */
  unmapped?: UnmappedMode;
  /** Used when the value ends up null (after transforms and map). */
  default?: JsonValue;
  /** A value that cannot be used: reject the user, or drop the value. Default: see the mapping's `options.onInvalid`. */
  onInvalid?: OnInvalid;
  /** The user is rejected when this ends up null, and when its value cannot be used (`onInvalid` is then `reject`). */
  required?: boolean;
}
/** `{ column }`: a column of the record, or a JSON path into one (`raw_user_meta_data.full_name`). */
export interface ColumnSource extends ValueShaping { column: string }
/** `{ constant }`: the same JSON value for every row. */
export interface ConstantSource extends ValueShaping { constant: JsonValue }
/** `{ template: "{first_name} {last_name}" }`: text with column placeholders. */
export interface TemplateSource extends ValueShaping { template: string }
/** `{ firstOf: [...] }`: the first source whose value is neither null nor blank text. */
export interface FirstOfSource extends ValueShaping { firstOf: ValueSource[] }
/** `{ when, then, else? }`: `then` when the condition holds, else `else` (or null). */
export interface WhenSource extends ValueShaping { when: Condition; then: ValueSource; else?: ValueSource }

/** A value source after parsing: never the string shorthand. */
export type ValueSource = ColumnSource | ConstantSource | TemplateSource | FirstOfSource | WhenSource;
/** The shaping keys as written: lists may be readonly (`as const`). */
export interface ValueShapingInput {
  transforms?: readonly TransformSpec[];
  map?: Readonly<Record<string, JsonValue>>;
  unmapped?: UnmappedMode;
  default?: JsonValue;
  onInvalid?: OnInvalid;
  required?: boolean;
}
/** A value source as written in a mapping file: also `"column"` / `"column.json.path"`. */
export type ValueSourceInput =
  | string
  | (ValueShapingInput & { column: string })
  | (ValueShapingInput & { constant: JsonValue })
  | (ValueShapingInput & { template: string })
  | (ValueShapingInput & { firstOf: readonly ValueSourceInput[] })
  | (ValueShapingInput & { when: ConditionInput; then: ValueSourceInput; else?: ValueSourceInput });

const shaping = {
  transforms: z.array(transformSpecSchema).optional().describe('Transforms applied in order to the value.'),
  map: z.record(z.string(), z.json()).optional().describe('Value map applied after the transforms, keyed by the value as text: { "ethereum": "ETH" }.'),
  unmapped: z
    .enum(UNMAPPED_MODES, { error: `must be one of ${UNMAPPED_MODES.join(', ')}` })
    .optional()
    .describe('A value missing from `map`: keep it (default), make it null, or reject the row.'),
  default: z.json().optional().describe('Used when the value ends up null (after transforms and map).'),
  onInvalid: z
    .enum(ON_INVALID_MODES, { error: `must be one of ${ON_INVALID_MODES.join(', ')}` })
    .optional()
    .describe('A value that cannot be used (a transform fails, an unmapped value, the API rule fails): reject the user, or drop the value and send the user without it.'),
  required: z.boolean({ error: 'must be true or false' }).optional().describe('Reject the user when this ends up null or cannot be used.'),
};

const columnSourceSchema = z.strictObject({ column: columnRefSchema, ...shaping }).describe('Read a column (or a JSON path into one), then shape it.');
const constantSourceSchema = z.strictObject({ constant: z.json(), ...shaping }).describe('The same JSON value for every row.');
const templateSourceSchema = z
  .strictObject({
    template: z.string({ error: 'must be text with {column} placeholders' }).superRefine((template, ctx) => {
      try {
        parseTemplate(template);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    ...shaping,
  })
  .describe('Text with {column} placeholders (JSON paths allowed); "{{" and "}}" are literal braces.');

/**
 * Where one payload value comes from: `"column"` (copy/rename, JSON paths allowed), `{ column }`,
 * `{ constant }`, `{ template }`, `{ firstOf }` or `{ when, then, else }`, each with the shaping
 * keys. Parsing normalises the shorthand to `{ column }`, so two spellings hash alike.
 */
export const valueSourceSchema: z.ZodType<ValueSource, ValueSourceInput> = z.lazy(() =>
  z.union(
    [
      columnRefSchema.transform((column): ColumnSource => ({ column })),
      columnSourceSchema,
      constantSourceSchema,
      templateSourceSchema,
      z
        .strictObject({ firstOf: z.array(valueSourceSchema).min(1, { error: 'must list at least one value source' }), ...shaping })
        .describe('The first value source whose value is neither null nor blank text.'),
      z
        .strictObject({ when: conditionSchema, then: valueSourceSchema, else: valueSourceSchema.optional(), ...shaping })
        .describe('`then` when the condition holds, otherwise `else` (or null).'),
    ],
    { error: 'is not a value source: expected "column_name", { column, ... }, { constant }, { template }, { firstOf: [...] } or { when, then, else }' },
  ),
).meta({ id: 'ValueSource', description: 'Where a value comes from: "column" or "column.json.path", { column }, { constant }, { template }, { firstOf }, or { when, then, else }; each may add transforms, map, unmapped, default, onInvalid and required.' });
