import type { ColumnKind } from './column-kind.js';

/** What one transform accepts, and what it turns the value into (`same`: passes the kind through). */
interface TransformRule {
  accepts: readonly ColumnKind[] | 'any';
  output: ColumnKind | 'same';
}

const TEXT_IN_TEXT_OUT: TransformRule = { accepts: ['text'], output: 'text' };

/**
 * The column kinds each transform accepts. A transform missing from this table is accepted on
 * anything (check must not block a mapping over a transform it does not know yet).
 */
const TRANSFORM_TYPE_RULES: Readonly<Record<string, TransformRule>> = {
  isoTimestamp: { accepts: ['timestamp', 'text'], output: 'text' },
  boolean: { accepts: ['boolean', 'text', 'integer'], output: 'boolean' },
  string: { accepts: 'any', output: 'text' },
  json: { accepts: ['json', 'text'], output: 'json' },
  nullIfEmpty: { accepts: 'any', output: 'same' },
  trim: TEXT_IN_TEXT_OUT,
  lower: TEXT_IN_TEXT_OUT,
  upper: TEXT_IN_TEXT_OUT,
  truncate: TEXT_IN_TEXT_OUT,
  e164: TEXT_IN_TEXT_OUT,
  countryCode: TEXT_IN_TEXT_OUT,
  stripForbidden: TEXT_IN_TEXT_OUT,
  slugUsername: TEXT_IN_TEXT_OUT,
  firstName: TEXT_IN_TEXT_OUT,
  lastName: TEXT_IN_TEXT_OUT,
};

/** The first transform of a chain that cannot take the value it would get, and the kind it would get. */
export interface TransformMismatch {
  transform: string;
  /** Position in the chain (0 = applied to the column itself). */
  index: number;
  got: ColumnKind;
  accepts: readonly ColumnKind[];
}

/**
 * Follows a column's kind through a chain of transforms (`string` turns anything into text, so
 * `['string', 'lower']` on an integer is fine) and returns the first transform that would reject
 * every non-null value, or undefined. `unknown` kinds never mismatch.
 */
export function findTransformMismatch(kind: ColumnKind, transforms: readonly string[]): TransformMismatch | undefined {
  let current = kind;
  for (const [index, transform] of transforms.entries()) {
    const rule = TRANSFORM_TYPE_RULES[transform];
    if (!rule) {
      current = 'unknown';
      continue;
    }
    if (current !== 'unknown' && rule.accepts !== 'any' && !rule.accepts.includes(current)) {
      return { transform, index, got: current, accepts: rule.accepts };
    }
    if (rule.output !== 'same') current = rule.output;
  }
  return undefined;
}
