import { z } from 'zod';
import { TRANSFORM_NAMES } from './transforms.js';

/** What a value-mapped source does with a value that has no entry in its `map`. */
export const UNMAPPED_MODES = ['keep', 'null', 'reject'] as const;

const columnName = z.string({ error: 'must be a column name (text)' }).min(1, { error: 'must not be empty' });

const transformName = z.enum(TRANSFORM_NAMES, {
  error: (issue) => `unknown transform ${JSON.stringify(issue.input)} (known: ${TRANSFORM_NAMES.join(', ')})`,
});

/** `{ column, transforms?, map?, unmapped?, default? }`: read a column, then shape its value. */
export const columnSourceSchema = z.strictObject({
  /** Column of the record being mapped (the user row, or the child row for child-based rules). */
  column: columnName,
  /** Named transforms applied in order, after SQL values are turned into JSON (Date → ISO text). */
  transforms: z.array(transformName).optional(),
  /** Value map applied after the transforms, keyed by the value as text: `{ ethereum: 'ETH' }`. */
  map: z.record(z.string(), z.json()).optional(),
  /** A value missing from `map`: keep it as is, make it null, or reject the row. @default 'keep' */
  unmapped: z.enum(UNMAPPED_MODES, { error: `must be one of ${UNMAPPED_MODES.join(', ')}` }).optional(),
  /** Used when the value ends up null (after transforms and map). */
  default: z.json().optional(),
});
export type ColumnSource = z.infer<typeof columnSourceSchema>;

/** `{ constant }`: the same JSON value for every row. */
export const constantSourceSchema = z.strictObject({ constant: z.json() });
export type ConstantSource = z.infer<typeof constantSourceSchema>;

/**
 * Where one payload value comes from: `"column_name"` (copy/rename), `{ column, ... }` or
 * `{ constant }`. Parsing normalises the shorthand to `{ column }`, so two spellings of the same
 * mapping hash alike. New kinds (template, coalesce, ...) join this union as new object shapes.
 */
export const valueSourceSchema = z.union(
  [columnName.transform((column): ColumnSource => ({ column })), columnSourceSchema, constantSourceSchema],
  { error: 'is not a value source: expected "column_name", { column, ... } or { constant }' },
);
/** A value source as written in a mapping file. */
export type ValueSourceInput = z.input<typeof valueSourceSchema>;
/** A value source after parsing: never the string shorthand. */
export type ValueSource = z.output<typeof valueSourceSchema>;
