import { isBlank, compileColumnRead } from './column-path.js';
import { compileCondition } from './condition.js';
import type { RowContext } from './row-context.js';
import { compileTemplate } from './template.js';
import type { JsonValue } from './to-json-value.js';
import { compileTransform } from './transforms.js';
import { generateShapedValue, recordProblem } from './generated-code.js';
import type { CompiledValue } from './generated-code.js';
import type { ValueSource } from './value-source.js';

export { generateAssigner, type Assigner, type CompiledValue, type NamedValue } from './generated-code.js';

/**
 * Compiles one value source (against the user row, a child row or a JSON element): produce the
 * value (column, constant, template, firstOf, when), then apply the transforms in order, then the
 * value map, then the default. Everything that depends on the spec alone (column paths,
 * transforms, templates, conditions) is resolved here, once, not per row. A spec this cannot
 * compile (only an unvalidated one) fails when evaluated, as the interpreter it replaced did.
 * The compiled value throws RowProblem when a column is missing, a transform cannot apply or a
 * value is unmapped; warnings go to the context.
 */
export function compileValueSource(source: ValueSource): CompiledValue {
  try {
    return compileShaped(source);
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/**
 * Evaluates a compiled value for the context's current field, recording a problem instead of
 * throwing.
 * @returns the value (null when absent), or undefined when a problem was recorded
 */
export function evaluateField(value: CompiledValue, record: Readonly<Record<string, unknown>>, context: RowContext): JsonValue | undefined {
  try {
    return value(record, context);
  } catch (error) {
    return recordProblem(error, context);
  }
}

function compileShaped(source: ValueSource): CompiledValue {
  const transforms = (source.transforms ?? []).map(compileTransform);
  const { map } = source;
  const fallback = source.default ?? null;
  // A plain column (no JSON path) is read in the generated code itself, as a named load. A bare
  // JSON path needs no shaping: its reader is the value.
  const plainColumn = 'column' in source && !source.column.includes('.') ? source.column : undefined;
  if (transforms.length === 0 && !map && fallback === null && plainColumn === undefined && 'column' in source) return compileProducer(source);
  return generateShapedValue({
    produce: plainColumn !== undefined ? { column: plainColumn } : { call: compileProducer(source) },
    transforms,
    map,
    unmapped: source.unmapped ?? 'keep',
    fallback,
  });
}

function compileProducer(source: ValueSource): CompiledValue {
  if ('constant' in source) {
    const { constant } = source;
    return () => constant;
  }
  if ('column' in source) return compileColumnRead(source.column);
  if ('template' in source) return compileTemplate(source.template, compileColumnRead);
  if ('firstOf' in source) return compileFirstOf(source.firstOf.map(compileValueSource));
  const test = compileCondition(source.when);
  const then = compileValueSource(source.then);
  const otherwise = source.else ? compileValueSource(source.else) : undefined;
  return (record, context) => (test(record) ? then(record, context) : otherwise ? otherwise(record, context) : null);
}

/** The first candidate whose value is neither null nor blank text. */
function compileFirstOf(candidates: readonly CompiledValue[]): CompiledValue {
  return (record, context) => {
    const { warnings } = context;
    for (const candidate of candidates) {
      // A candidate passed over (or failing) must not leave warnings about a value that is not sent.
      const mark = warnings.length;
      let value: JsonValue;
      try {
        value = candidate(record, context);
      } catch (error) {
        warnings.length = mark;
        throw error;
      }
      if (!isBlank(value)) return value;
      warnings.length = mark;
    }
    return null;
  };
}
