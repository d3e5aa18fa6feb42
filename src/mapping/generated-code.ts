import { absentColumn, columnValueToJson } from './column-path.js';
import { RowProblem } from './row-problem.js';
import type { RowContext } from './row-context.js';
import type { JsonValue } from './to-json-value.js';
import type { CompiledTransform } from './transforms.js';
import type { UnmappedMode } from './value-source.js';

// Why generated code: V8 keeps one set of type feedback per function literal, shared by every
// closure made from it. A mapper built only from closures runs all its values through the same few
// call sites and keyed loads (`record[column]` for every column, `transform(value)` for every
// transform), which go megamorphic. Code generated per value and per member list gives each column
// read a named load of its own and each transform and value a call site of its own. Names and
// values never enter the code as text: names only as JSON string literals, everything else as
// arguments of the generated factory.

/** A value of one record (the user row, a child row, a JSON element). */
export type CompiledValue = (record: Readonly<Record<string, unknown>>, context: RowContext) => JsonValue;

/** How a value is shaped once produced: see {@link generateShapedValue}. */
export interface Shaping {
  /** A plain column (no JSON path) read in the generated code, or a producer it calls. */
  produce: { column: string } | { call: CompiledValue };
  transforms: readonly CompiledTransform[];
  map: Readonly<Record<string, JsonValue>> | undefined;
  unmapped: UnmappedMode;
  fallback: JsonValue;
}

/**
 * One value as a function of its own: produce it (a column read as JSON, or the producer's call),
 * apply the transforms in order while it is not null (SQL NULL passes every transform untouched),
 * then the value map, then the default.
 */
export function generateShapedValue(shaping: Shaping): CompiledValue {
  const { produce, transforms, map, unmapped, fallback } = shaping;
  const lines: string[] = [];
  if ('column' in produce) {
    const column = JSON.stringify(produce.column);
    lines.push(`let value = record[${column}];`);
    // Text, the usual case, is already JSON; anything else (a Date, NULL, a missing column) is converted.
    lines.push(`if (typeof value !== 'string') value = Object.hasOwn(record, ${column}) ? toJson(value) : absentColumn(record, ${column});`);
  } else {
    lines.push('let value = produce(record, context);');
  }
  transforms.forEach((_, index) => lines.push(`if (value !== null) value = t${index}(value, context, record);`));
  if (map) lines.push('if (value !== null) value = lookUp(map, value, unmapped);');
  lines.push('return value ?? fallback;');
  const body = `return function shapedValue(record, context) {\n${lines.join('\n')}\n};`;
  const names = ['absentColumn', 'toJson', 'produce', 'lookUp', 'map', 'unmapped', 'fallback', ...transforms.map((_, index) => `t${index}`)];
  const factory = new Function(...names, body) as (...args: unknown[]) => CompiledValue;
  return factory(absentColumn, columnValueToJson, 'call' in produce ? produce.call : undefined, lookUp, map, unmapped, fallback, ...transforms);
}

/** A compiled member of an object being built: its key and the field name problems are reported under. */
export interface NamedValue {
  /** Key in the object (the payload, its metadata, a wallet, an OAuth account). */
  key: string;
  /** Path for problems and warnings: `email`, `metadata.plan`; inside a list, the item's part (`chain`). */
  field: string;
  value: CompiledValue;
}

/** Sets the members that have a value on `target`: see {@link generateAssigner}. */
export type Assigner = (target: Record<string, unknown>, record: Readonly<Record<string, unknown>>, context: RowContext) => void;

/**
 * The members, evaluated against a record in order and set on the target object: the context is
 * pointed at each member's field first; null leaves a member out, and so does a problem (recorded
 * in the context, see {@link recordProblem}).
 */
export function generateAssigner(members: readonly NamedValue[]): Assigner {
  const steps = members.map(({ key, field }, index) =>
    [
      `context.field = ${JSON.stringify(field)};`,
      `try { value = v${index}(record, context); } catch (error) { value = recordProblem(error, context); }`,
      `if (value != null) target[${JSON.stringify(key)}] = value;`,
    ].join('\n'),
  );
  const body = `return function assign(target, record, context) {\nlet value;\n${steps.join('\n')}\n};`;
  const factory = new Function('recordProblem', ...members.map((_, index) => `v${index}`), body) as (...args: unknown[]) => Assigner;
  return factory(recordProblem, ...members.map((member) => member.value));
}

/**
 * A value's failure: a RowProblem is recorded under the context's field (the row is rejected, the
 * mapper goes on); anything else is the mapper's own fault and is thrown on.
 * @returns undefined, the value of a member that could not be built
 */
export function recordProblem(error: unknown, context: RowContext): undefined {
  if (!(error instanceof RowProblem)) throw error;
  context.addProblem(error);
  return undefined;
}

function lookUp(map: Readonly<Record<string, JsonValue>>, value: Exclude<JsonValue, null>, unmapped: UnmappedMode): JsonValue {
  const key = typeof value === 'object' ? undefined : String(value);
  // hasOwn, not `in`: a legacy value such as "constructor" must not find Object.prototype.
  if (key !== undefined && Object.hasOwn(map, key)) return map[key] ?? null;
  if (unmapped === 'null') return null;
  if (unmapped === 'reject') throw new RowProblem('value_map', 'has no entry in the value map (unmapped: reject)', value);
  return value;
}
